"""``/schema`` renders with the network unplugged: every asset it loads is served by the tier."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

import pytest

from shared.core.vocabulary import Tier
from tests.support.tiers import TierFactory


class _Assets(HTMLParser):
    """Every URL a page makes the browser fetch: scripts, stylesheets, icons, images."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src", "iframe": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


@pytest.mark.parametrize("tier", ["local", "regional", "national"])
async def test_schema_page_loads_only_assets_served_by_the_tier_itself(
    tier_factory: TierFactory, tier: Tier
) -> None:
    client = (await tier_factory(tier)).client(tier)
    page = await client.get("/schema")
    assert page.status_code == 200 and "SwaggerUIBundle" in page.text
    parser = _Assets()
    parser.feed(page.text)
    assert len(parser.urls) >= 3, parser.urls  # stylesheet, bundle, preset (and the icon)
    base = str(client.base_url) + "/schema"
    for url in parser.urls:
        absolute = urljoin(base, url)
        assert urlparse(absolute).netloc == urlparse(base).netloc, f"{url} is off the machine"
        asset = await client.get(absolute)
        assert asset.status_code == 200 and asset.content, url

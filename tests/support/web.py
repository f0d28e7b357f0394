"""A tier's pages in a real browser: the tier's app served over HTTP on loopback by uvicorn (in
the test's event loop, beside the app's running lifespan), and Debian's Chromium driven by
Playwright with axe-core for accessibility.

Playwright's own browser download is not reachable here, so the browser is
``/usr/bin/chromium`` (``PLENARIA_TEST_CHROMIUM`` overrides it); ``.ci/run`` installs it. Its
background networking is off: this machine's closed network refuses those connections.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import uvicorn
from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Page, async_playwright

from shared.core.vocabulary import Tier
from tests.support.tiers import Federation

CHROMIUM = os.environ.get("PLENARIA_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@asynccontextmanager
async def served(fed: Federation, tier: Tier) -> AsyncIterator[str]:
    """The running ``tier`` of ``fed`` over real HTTP; yields its base URL."""
    async with served_client(fed.client(tier)) as url:
        yield url


@asynccontextmanager
async def served_client(client: Any) -> AsyncIterator[str]:
    """The app behind an in-process ``httpx`` client over real HTTP; yields its base URL."""
    app: Any = client._transport.app
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """A headless Chromium (each new page gets a fresh context: no shared cookies)."""
    if not os.path.exists(CHROMIUM):  # noqa: ASYNC240 - one stat before a browser starts
        raise AssertionError(
            f"{CHROMIUM} is missing: install Debian's chromium (.ci/run does) "
            "or point PLENARIA_TEST_CHROMIUM at a Chromium"
        )
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=CHROMIUM_ARGS,
        )
        try:
            yield browser
        finally:
            await browser.close()


async def accessibility_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A and AA rules)."""
    results = await Axe().run(
        page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
    )
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


async def screenshot(page: Page, name: str) -> None:
    """Keep a screenshot of ``page`` as ``<name>.png`` under ``$PLENARIA_SCREENSHOTS``, if set."""
    folder = os.environ.get("PLENARIA_SCREENSHOTS")
    if folder:
        os.makedirs(folder, exist_ok=True)
        await page.screenshot(path=os.path.join(folder, f"{name}.png"), full_page=True)


async def screenshot_at_360(page: Page, name: str, folder: Path) -> Path:
    """The page as a 360 px wide phone shows it, saved as ``name``.png under
    ``$PLENARIA_SCREENSHOTS`` when set (CI may keep them), else under ``folder``; asserts that
    nothing is wider than the screen (no sideways scrolling)."""
    await page.set_viewport_size({"width": 360, "height": 800})
    wider: int = await page.evaluate("document.documentElement.scrollWidth")
    culprit: str = await page.evaluate(
        """() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 361)
        .map(e => e.tagName + '.' + e.className + ':' + (e.textContent || '').slice(0, 40))
        .slice(-3).join(' | ')"""
    )
    assert wider <= 360, f"{page.url} is {wider} px wide at 360 px: {culprit}"
    where = Path(os.environ.get("PLENARIA_SCREENSHOTS") or folder)
    where.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - one folder, once a shot
    shot = where / f"{name}.png"
    await page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 0
    await page.set_viewport_size({"width": 1280, "height": 800})
    return shot

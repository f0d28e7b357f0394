"""The web side of the offline outbox (``static/js/outbox.js``): once-only form posts.

A page renders each such form with ``data-outbox`` and a fresh idempotency key
(:func:`shared.platform.web.receipts.new_key`, in the hidden field
:data:`~shared.platform.web.receipts.KEY_FIELD`); its handler runs the action through
:func:`post_once`, which answers a resend of the same key with the first answer's redirect and
does nothing else. See ``docs/offline.md``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict
from litestar.response import Redirect

from shared.core.access import Principal
from shared.platform.db.database import Database
from shared.platform.web.pages import see_other
from shared.platform.web.receipts import KEY_FIELD, once


async def post_once(
    request: Request[Any, Any, Any],
    db: Database,
    principal: Principal,
    form: FormMultiDict,
    run: Callable[[], Awaitable[str]],
) -> Redirect:
    """Run ``run`` (which returns where to send the browser) once per idempotency key."""
    location = await once(
        db,
        str(form.get(KEY_FIELD) or ""),
        path=request.url.path,
        actor=f"{principal.kind}:{principal.id}",
        run=run,
    )
    return see_other(location)

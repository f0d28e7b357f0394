"""Pages that follow the room live: a server-sent event stream that says "the board changed".

The stream looks at what the page shows (``look``: a short fingerprint of it) every
``LOOK_EVERY_S`` and sends a ``mudou`` event carrying the new fingerprint whenever it differs;
the page (``plenary_parts.html``'s ``live_board``) then fetches its board again by HTMX. A stream
lasts ``STREAM_FOR_S`` (the browser's EventSource reconnects by itself, so no connection is held
for ever); while it is down the page polls every few seconds instead, and without JavaScript it
is a page to reload. Used by the local projector and the state and national projectors.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import msgspec
from litestar.response import ServerSentEvent
from litestar.response.sse import ServerSentEventMessage

from shared.core.errors import DomainError

LOOK_EVERY_S = 1.0
STREAM_FOR_S = 300.0


def fingerprint(seen: Any) -> str:
    """A short digest of what a board shows (any msgspec-encodable value)."""
    return hashlib.sha256(msgspec.json.encode(seen)).hexdigest()[:16]


def changes(look: Callable[[], Awaitable[str]]) -> ServerSentEvent:
    """The event stream of a board whose current fingerprint ``look`` returns; it ends when
    ``look`` is refused (the assembly or conference is gone)."""

    async def events() -> AsyncIterator[ServerSentEventMessage]:
        last = ""
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_FOR_S
        while loop.time() < ends:
            try:
                now = await look()
            except DomainError:
                return
            if now != last:
                last = now
                yield ServerSentEventMessage(data=now, event="mudou", retry=3000)
            await asyncio.sleep(LOOK_EVERY_S)

    return ServerSentEvent(events(), headers={"Cache-Control": "no-store"})

"""Bodies are bounded before anything parses them: size (413) and JSON nesting depth (400).

msgspec decodes nested arrays and objects recursively, so a body of a hundred thousand ``[``
raises ``RecursionError`` inside the decoder: a 500, whoever sent it. This middleware reads a
JSON body (never more than the size limit), measures its nesting with a few passes of C-level
regular expressions (the running count of brackets outside strings, in numpy) and refuses it when it is deeper than any body this API takes, before Litestar, the
identity middleware or a route sees it. Other bodies (forms, ballot files) are only counted.
"""

from __future__ import annotations

import numpy as np
from litestar.enums import ScopeType
from litestar.types import ASGIApp, HTTPRequestEvent, Receive, ReceiveMessage, Scope, Send

from shared.core.errors import DomainError
from shared.platform.web.problems import problem_bytes

#: The largest body any route takes (ballot files, bulk uploads); Litestar is given the same.
MAX_BODY_BYTES = 32 * 1024 * 1024
#: The deepest JSON this API takes is four levels (a batch of entries holding ranked groups).
MAX_JSON_DEPTH = 32

#: Every byte but brackets and quotes, dropped by ``bytes.translate`` (C speed).
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'[]{}"')
_STEP = np.zeros(256, np.int8)
_STEP[list(b"[{")], _STEP[list(b"]}")] = 1, -1
_QUOTE = ord('"')


class TooLarge(DomainError):
    status = 413
    title = "Request body too large"


class TooDeep(DomainError):
    status = 400
    title = "Malformed request body"


def json_depth_within(body: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether ``body`` nests arrays and objects at most ``limit`` deep; brackets that close
    more than they opened, which no parser would accept, count as too deep.

    Escaped backslashes and quotes are removed first, then everything but brackets and quotes;
    a bracket inside a string (after an odd number of quotes) does not count; the running sum of
    opening minus closing brackets is the depth at each point.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return True
    skeleton = body.replace(b"\\\\", b"").replace(b'\\"', b"").translate(None, _NOT_STRUCTURE)
    marks = np.frombuffer(skeleton, np.uint8)
    inside = np.bitwise_xor.accumulate(marks == _QUOTE)
    steps = _STEP[marks]
    steps[inside] = 0
    depth = np.cumsum(steps, dtype=np.int32)
    return bool(depth.size == 0 or (depth.max() <= limit and depth.min() >= 0))


def _is_json(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return False


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def body_limits_middleware(app: ASGIApp) -> ASGIApp:
    """Refuse oversized bodies and over-nested JSON before any parsing (see the module doc)."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        declared = _declared_length(scope)
        if declared is not None and declared > MAX_BODY_BYTES:
            await problem_bytes(send, TooLarge(f"at most {MAX_BODY_BYTES} bytes"), path=path)
            return
        if not _is_json(scope):
            await app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                await problem_bytes(send, TooLarge(f"at most {MAX_BODY_BYTES} bytes"), path=path)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if not json_depth_within(body):
            await problem_bytes(
                send, TooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels"), path=path
            )
            return
        replayed = False

        async def replay() -> ReceiveMessage:
            nonlocal replayed
            if not replayed:
                replayed = True
                event: HTTPRequestEvent = {
                    "type": "http.request",
                    "body": body,
                    "more_body": False,
                }
                return event
            return await receive()

        await app(scope, replay, send)

    return middleware

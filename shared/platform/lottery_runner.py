"""Run a civic-lottery draw in a child interpreter, the same way for the CLI and the services.

The library keeps panels in sets, so its LP tie-breaks — and thus the distribution the panel is
drawn from — would vary with Python's hash seed: the draw runs in a child process with
``PYTHONHASHSEED=0``, which makes a published seed reproduce the panel anywhere. The child also
keeps the solvers' printing off the JSON it answers on stdout, and, in a service, keeps a draw
that takes minutes off the event loop and its CPU time out of the serving process.

Request and answer are the JSON of ``plenaria lottery`` (docs/cli.md): ``{"size", "quotas":
[{"feature", "value", "min", "max"}], "pool": [{"id", "features"}], "seed", "method"}`` in;
``{"selected", "probabilities", "seed", "method", "requested_method",
"probabilities_estimated", "panels"}`` or ``{"error", "feature"}`` out.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import subprocess
import sys
from typing import Any

from shared.core.decide.errors import LotteryError
from shared.core.decide.lottery import LotteryResult, PoolMember, Quota, draw_panel
from shared.platform.native_output import stdout_to_stderr

_CHILD = [sys.executable, "-c", "from shared.platform.lottery_runner import main; main()"]


class DrawFailed(RuntimeError):
    """The child process died without an answer (not a refused quota: that is an answer)."""


def draw(request: dict[str, Any]) -> dict[str, Any]:
    """Draw in this process (the child's work; call it only with ``PYTHONHASHSEED=0``)."""
    _quiet_sortition_logging()
    try:
        with stdout_to_stderr():
            result = draw_panel(
                request["size"],
                [Quota(**q) for q in request["quotas"]],
                [PoolMember(m["id"], m["features"]) for m in request["pool"]],
                seed=request["seed"],
                method=request["method"],
            )
    except LotteryError as error:
        return {"error": str(error), "feature": error.feature}
    return result_json(result)


def result_json(result: LotteryResult) -> dict[str, Any]:
    return {
        "selected": list(result.selected),
        "probabilities": result.probabilities,
        "seed": result.seed,
        "method": result.method,
        "requested_method": result.requested_method,
        "probabilities_estimated": result.probabilities_estimated,
        "panels": result.panels,
    }


def draw_in_child(request: dict[str, Any]) -> dict[str, Any]:
    """Blocking: the draw in a fixed-hash child interpreter (the CLI's path)."""
    if os.environ.get("PYTHONHASHSEED") == "0":
        return draw(request)
    completed = subprocess.run(
        _CHILD,
        input=json.dumps(request),
        capture_output=True,
        text=True,
        env=_child_env(),
        check=False,
    )
    return _answer(completed.returncode, completed.stdout, completed.stderr)


async def draw_in_child_async(request: dict[str, Any]) -> dict[str, Any]:
    """The same draw without blocking the event loop (a service's background job)."""
    child = await asyncio.create_subprocess_exec(
        *_CHILD,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=_child_env(),
    )
    try:
        out, err = await child.communicate(json.dumps(request).encode())
    except asyncio.CancelledError:
        if child.returncode is None:
            child.kill()
        raise
    return _answer(child.returncode or 0, out.decode(), err.decode())


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": "0"}


def _answer(code: int, stdout: str, stderr: str) -> dict[str, Any]:
    if code != 0 or not stdout.strip():
        detail = stderr.strip().splitlines()[-1:] or ["no output"]
        raise DrawFailed(f"the lottery worker failed: {detail[0]}")
    answer: dict[str, Any] = json.loads(stdout)
    return answer


def main() -> None:
    """The child's entry: JSON request on stdin, JSON answer on stdout."""
    request = json.loads(sys.stdin.read())
    sys.stdout.write(json.dumps(draw(request)))


def _quiet_sortition_logging() -> None:
    """The library logs progress to stdout, which must carry only our JSON: send it to stderr."""
    for name in ("sortition_algorithms", "sortition_algorithms_user"):
        library_logger = logging.getLogger(name)
        for handler in list(library_logger.handlers):
            library_logger.removeHandler(handler)
        library_logger.addHandler(logging.StreamHandler(sys.stderr))
        library_logger.setLevel(logging.WARNING)

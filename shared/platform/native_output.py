"""Keep what native libraries print off our standard output.

Solvers such as HiGHS write banners with C ``printf`` straight to file descriptor 1, below
Python's ``sys.stdout``; anything our commands print as JSON or CSV would be corrupted by it.
:func:`stdout_to_stderr` points descriptor 1 at standard error at the OS level while such code
runs, flushing C's stdio buffers before it puts the real stdout back, so a late flush of the
library's buffer cannot land in our stream either.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


def _flush_c_stdio() -> None:
    """``fflush(NULL)``: write out every C stdio buffer while descriptor 1 is still stderr."""
    with contextlib.suppress(OSError, AttributeError):  # no libc symbol table: nothing to do
        ctypes.CDLL(None).fflush(None)


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Run the body with descriptor 1 redirected to descriptor 2, then restore it."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1)
    try:
        os.dup2(2, 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            _flush_c_stdio()
            os.dup2(saved, 1)
    finally:
        os.close(saved)

"""Whatever a native library prints during a draw never reaches ``plenaria lottery``'s JSON.

The solver is wrapped, through a ``sitecustomize`` module on the child's path, so that every
draw first writes to file descriptor 1 from C (``printf``, buffered by libc) and with a raw
``write(2)`` — as HiGHS does with its banner — whatever today's HiGHS happens to print.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.paths import DECIDE_DATA

DATA = DECIDE_DATA

NOISY_SOLVER = """
import ctypes, os
import sortition_algorithms.committee_generation as generation

def _noisy(finder):
    def wrapped(*args, **kwargs):
        with open(os.environ["NOISE_MARKER"], "a") as marker:
            marker.write("drawn\\n")
        ctypes.CDLL(None).printf(b"NATIVE-PRINTF-NOISE\\n")
        os.write(1, b"RAW-FD-NOISE\\n")
        return finder(*args, **kwargs)
    return wrapped

for name in ("find_distribution_leximin", "find_distribution_maximin", "find_distribution_nash"):
    setattr(generation, name, _noisy(getattr(generation, name)))
"""


@pytest.mark.parametrize("hash_seed", ["random", "0"], ids=["worker-process", "in-process"])
def test_native_writes_to_stdout_during_a_draw_leave_valid_json(
    tmp_path: Path, hash_seed: str
) -> None:
    (tmp_path / "sitecustomize.py").write_text(NOISY_SOLVER, encoding="utf-8")
    marker = tmp_path / "marker"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path]),
        "PYTHONHASHSEED": hash_seed,
        "NOISE_MARKER": str(marker),
    }
    command = [
        sys.executable, "-c", "from shared.tools.cli import main; main()",
        "lottery", "--size", "8", "--quotas", str(DATA / "lottery_quotas.csv"),
        "--pool", str(DATA / "lottery_pool.csv"), "--seed", "7", "--method", "maximin",
    ]  # fmt: skip
    completed = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=240,
    )
    assert completed.returncode == 0, completed.stderr
    assert marker.read_text().count("drawn") >= 1, "the noisy solver never ran"
    assert "NOISE" not in completed.stdout
    body = json.loads(completed.stdout)
    assert len(body["selected"]) == 8 and body["seed"] == 7
    if hash_seed == "0":  # in-process, the noise is on our own stderr
        assert "NATIVE-PRINTF-NOISE" in completed.stderr and "RAW-FD-NOISE" in completed.stderr

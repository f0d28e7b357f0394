"""One `plenaria up` per data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shared.tools.cli import main
from shared.tools.runtime.lock import DataDirInUse, DataDirLock


def test_second_holder_is_refused_until_the_first_releases(tmp_path: Path) -> None:
    first = DataDirLock(tmp_path)
    first.acquire()
    with pytest.raises(DataDirInUse, match=f"in use by process {os.getpid()}"):
        DataDirLock(tmp_path).acquire()
    first.release()
    with DataDirLock(tmp_path) as second:
        assert second.held


def test_up_refuses_a_directory_in_use(tmp_path: Path) -> None:
    with DataDirLock(tmp_path):
        result = CliRunner().invoke(main, ["up", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "is in use" in result.output
    assert not (tmp_path / "postgres").exists()


def test_up_process_refuses_a_directory_in_use(tmp_path: Path) -> None:
    plenaria = Path(sys.executable).with_name("plenaria")
    with DataDirLock(tmp_path):
        done = subprocess.run(
            [str(plenaria), "up", "--data-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1
    assert f"{tmp_path} is in use by process {os.getpid()}" in done.stderr

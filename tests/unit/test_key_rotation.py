"""Rotating an instance key is the operator's, with both seeds in hand: the wrong old seed, or
a new key that is not new, changes nothing; a rotation trusts the new key only, and keeps a
record both keys signed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shared.platform.bus.keys import read_trusted_file
from shared.platform.bus.signing import KeyRing, new_seed, public_key_of
from shared.tools.cli import main
from shared.tools.runtime.rotation import (
    RotationError,
    rotate_instance_key,
    rotation_statement,
)


def trusted(tmp_path: Path, **seeds: str) -> Path:
    path = tmp_path / "trusted.json"
    path.write_text(json.dumps({name: public_key_of(seed) for name, seed in seeds.items()}))
    return path


def test_a_rotation_needs_the_old_seed_and_a_new_key(tmp_path: Path) -> None:
    local, national = new_seed(), new_seed()
    path = trusted(tmp_path, local=local, national=national)
    before = path.read_text()
    with pytest.raises(RotationError, match="old seed is not the key"):
        rotate_instance_key(path, "local", new_seed(), new_seed())
    with pytest.raises(RotationError, match="never had"):
        rotate_instance_key(path, "local", local, local)
    with pytest.raises(RotationError, match="not in"):
        rotate_instance_key(path, "stranger", local, new_seed())
    assert path.read_text() == before

    fresh = new_seed()
    record = rotate_instance_key(path, "local", local, fresh)
    entries = read_trusted_file(str(path))
    assert entries["local"].public_key == public_key_of(fresh)
    assert entries["local"].previous == [public_key_of(local)]
    assert entries["national"].public_key == public_key_of(national)
    statement = rotation_statement("local", record["from"], record["to"], record["at"])
    KeyRing({"local": record["from"]}).verify("local", statement, record["signed_by_old"])
    KeyRing({"local": record["to"]}).verify("local", statement, record["signed_by_new"])
    # The old key may not come back.
    with pytest.raises(RotationError, match="never had"):
        rotate_instance_key(path, "local", fresh, local)


def test_the_command_line_rotates_and_refuses(tmp_path: Path) -> None:
    old, new = new_seed(), new_seed()
    path = trusted(tmp_path, regional=old)
    (tmp_path / "old.seed").write_text(old + "\n")
    (tmp_path / "new.seed").write_text(new + "\n")
    (tmp_path / "wrong.seed").write_text(new_seed() + "\n")
    args = ["keys", "rotate", "--trusted-keys-file", str(path), "--instance", "regional"]
    refused = CliRunner().invoke(
        main,
        [
            *args,
            "--old-seed-file",
            str(tmp_path / "wrong.seed"),
            "--new-seed-file",
            str(tmp_path / "new.seed"),
        ],
    )
    assert refused.exit_code == 1 and "old seed is not the key" in refused.output
    done = CliRunner().invoke(
        main,
        [
            *args,
            "--old-seed-file",
            str(tmp_path / "old.seed"),
            "--new-seed-file",
            str(tmp_path / "new.seed"),
        ],
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["to"] == public_key_of(new)
    assert read_trusted_file(str(path))["regional"].public_key == public_key_of(new)

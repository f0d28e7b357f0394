"""`plenaria up` wired to stub services, for tests of the real supervisor without the tiers.

Run as ``python tests/support/stubs/up.py DATA_DIR`` to get the whole `plenaria up` process
(signals, embedded servers, shutdown); tests of the supervisor import :func:`stub_options`.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from nacl.signing import SigningKey

from shared.core.vocabulary import Tier
from shared.tools.runtime.supervisor import UpOptions, run_up

STUB_SERVICE = Path(__file__).with_name("service.py")
#: This file, to run as a script.
UP = Path(__file__)


def stub_command(tier: Tier) -> list[str]:
    return [sys.executable, str(STUB_SERVICE), tier]


def no_migration(database_url: str) -> None:
    return None


def stub_keypair(path: Path) -> tuple[str, str]:
    """Same contract as ``shared.platform.bus.signing.ensure_keypair``, kept here so tests stand alone."""
    if path.exists():
        seed = path.read_text().strip()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = base64.b64encode(bytes(SigningKey.generate())).decode()
        path.write_text(seed + "\n")
    public = SigningKey(base64.b64decode(seed)).verify_key
    return seed, base64.b64encode(bytes(public)).decode()


def stub_options(data_dir: Path, **overrides: object) -> UpOptions:
    options = UpOptions(
        data_dir=data_dir,
        service_command=stub_command,
        migrate=no_migration,
        ensure_keypair=stub_keypair,
        fast_postgres=True,
        ready_timeout=20.0,
    )
    for key, value in overrides.items():
        setattr(options, key, value)
    return options


if __name__ == "__main__":
    sys.exit(run_up(stub_options(Path(sys.argv[1]).absolute())))

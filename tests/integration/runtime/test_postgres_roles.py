"""The embedded PostgreSQL as `plenaria up` runs it: every connection authenticates with SCRAM,
and each tier connects as a role that is no superuser and owns only its own database."""

from __future__ import annotations

from pathlib import Path

import asyncpg
import pytest

from shared.tools.runtime.postgres import EmbeddedPostgres


def dsn(server: EmbeddedPostgres, database: str, user: str, password: str | None) -> str:
    who = f"{user}:{password}" if password else user
    return f"postgresql://{who}@{server.host}:{server.port}/{database}"


async def test_passwords_are_required_and_each_tier_owns_only_its_database(
    tmp_path: Path,
) -> None:
    # First run trusting loopback (as clusters made before passwords did), a table made by the
    # superuser; then started with passwords, as `plenaria up` now does.
    server = EmbeddedPostgres(tmp_path / "pg", fast=True)
    server.start()
    try:
        server.create_database("plenaria_local")
        server.psql("CREATE TABLE inherited (id int)", database="plenaria_local")
    finally:
        server.stop()
    server = EmbeddedPostgres(tmp_path / "pg", port=server.port, fast=True, password="super-pw")
    server.start()
    try:
        server.ensure_owner("plenaria_local", "plenaria_local_app", "local-pw")
        server.ensure_owner("plenaria_regional", "plenaria_regional_app", "regional-pw")
        assert "scram-sha-256" in (server.pgdata / "pg_hba.conf").read_text()
        assert "trust" not in (server.pgdata / "pg_hba.conf").read_text().replace("(no trust)", "")

        for user, password in (
            ("postgres", None),
            ("plenaria_local_app", None),
            ("plenaria_local_app", "wrong"),
        ):
            with pytest.raises(
                (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)
            ):
                await asyncpg.connect(dsn(server, "plenaria_local", user, password))
        # Not into another tier's database.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await asyncpg.connect(
                dsn(server, "plenaria_regional", "plenaria_local_app", "local-pw")
            )

        local = await asyncpg.connect(
            dsn(server, "plenaria_local", "plenaria_local_app", "local-pw")
        )
        try:
            role = await local.fetchrow(
                "SELECT rolsuper, rolcreatedb, rolcreaterole FROM pg_roles"
                " WHERE rolname = current_user"
            )
            assert tuple(role) == (False, False, False)
            await local.execute("CREATE TABLE own (id int)")  # its schema is its own
            await local.execute("INSERT INTO inherited VALUES (1)")  # handed over to it
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await local.execute("CREATE DATABASE sneaky")
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await local.execute("ALTER ROLE plenaria_local_app SUPERUSER")
        finally:
            await local.close()
    finally:
        server.stop()

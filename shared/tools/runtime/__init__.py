"""Embedded PostgreSQL and nats-server, and the supervisor behind `plenaria up`.

Everything here runs real servers from PyPI wheels so a newcomer, a test session and a
benchmark need nothing installed beyond ``pip install plenaria``.
"""

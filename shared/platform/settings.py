"""The one settings object: every knob comes from ``PLENARIA_*`` environment variables.

Nothing reads the environment at import time; the composition root of each process calls
:func:`load_settings` once and passes the result down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import msgspec

from shared.core.vocabulary import Tier

DEFAULT_PORTS: dict[Tier, int] = {"local": 8101, "regional": 8102, "national": 8103}


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Configuration of one Plenária process (one tier service, or the CLI)."""

    tier: Tier = "local"
    database_url: str = ""
    nats_url: str = "nats://127.0.0.1:4222"
    #: This tier's NATS user and password (``plenaria up`` generates one per tier, allowed only
    #: its own subjects and durables); empty connects without credentials.
    nats_user: str = ""
    nats_password: str = ""
    #: Whether this process creates and updates the streams itself. Off where the streams are
    #: provisioned by an administrator (``plenaria up``, deploy/): a service's NATS user then
    #: has no stream-administration rights, and the service waits for the streams to exist.
    declare_streams: bool = True
    host: str = "127.0.0.1"
    port: int = 0
    data_dir: str = ".plenaria"
    log_level: str = "info"
    log_json: bool = True
    #: Name of this deployment of a tier; instances sharing it share durable consumers.
    instance: str = ""
    #: Base64 Ed25519 seed of this instance's signing key; empty means read/create
    #: ``<data_dir>/keys/<instance>.seed``.
    signing_key: str = ""
    #: File holding that seed (a mounted secret); used when ``signing_key`` is empty.
    signing_key_file: str = ""
    #: Path of a JSON file ``{"sender-id": "base64 public key", ...}`` of keys trusted at start.
    trusted_keys_file: str = ""
    #: Bearer token for administrative endpoints (dead-letter replay, key registration).
    admin_token: str = ""
    #: Where people reach this service (``https://…``): the gov.br return address and whether
    #: cookies are ``Secure``. Empty: ``http://<host>:<port>`` (development on loopback).
    public_url: str = ""
    #: Secret the web pages sign CSRF tokens and hash gov.br subjects with; empty derives one
    #: from this instance's signing seed (instances of a tier share it).
    web_secret: str = ""
    #: Sign-in attempts (passwords, codes) one address may make per minute.
    sign_in_attempts_per_minute: int = 20
    #: Failed password attempts before an account waits ``lockout_minutes``.
    lockout_after: int = 5
    lockout_minutes: int = 15
    #: Voting cards a phone may ask for without signing in (local tier): how long one waits for
    #: the desk to bind it, and how many may wait at once per assembly (a bound on what anyone
    #: can make the tier store).
    device_card_minutes: int = 30
    device_cards_waiting: int = 2_000
    #: Civic lotteries: how often an idle process looks for a queued draw, and after how long a
    #: draw left ``running`` (its process died) is claimed again — the seed makes the same panel.
    lottery_idle_s: float = 1.0
    lottery_stale_s: float = 1800.0
    #: Duplicate suggestions (regional and national tiers): an axis of at least this many items
    #: is clustered in a worker process, off the event loop (São Paulo's biggest: ~10,000
    #: items, ~20 s); and the Sistematização page waits this long for them before saying they
    #: are being computed and fetching them by itself once ready.
    suggestions_off_loop_items: int = 2000
    suggestions_wait_s: float = 1.0
    #: OpenID Connect sign-in (gov.br); off while ``oidc_issuer`` is empty.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile govbr_confiabilidades"
    #: ID-token claim holding the account level (bronze, prata, ouro), when the provider sends it.
    oidc_level_claim: str = "govbr_level"
    #: gov.br's confiabilidades address, ``{sub}`` replaced by the subject; when set, the level is
    #: read there with the access token (levels 1, 2, 3 → bronze, prata, ouro).
    oidc_levels_url: str = ""
    #: JetStream stream replicas (3 on a NATS cluster).
    stream_replicas: int = 1
    #: Seconds JetStream remembers a message id to drop duplicates.
    duplicate_window_s: float = 7 * 24 * 3600.0
    #: Seconds a message stays in the streams (how far back a restored tier can catch up).
    stream_max_age_s: float = 120 * 24 * 3600.0
    #: Bytes each stream may hold; when full, publishing waits (the outbox keeps the rows)
    #: rather than dropping anything not yet consumed. 0: only the server's own storage limit
    #: (a stream may not ask for more than the server has).
    stream_max_bytes: int = 0
    #: Seconds an inbox row proves a message was applied. It must outlive the stream's copy of
    #: that message (``stream_max_age_s``), or a replay after a restore would apply it twice.
    inbox_retention_s: float = 121 * 24 * 3600.0
    #: Seconds between two prunings of inbox rows older than ``inbox_retention_s``.
    inbox_prune_interval_s: float = 3600.0
    relay_batch: int = 500
    relay_idle_s: float = 0.5
    relay_max_backoff_s: float = 10.0
    consumer_batch: int = 200
    #: Messages of one fetched batch applied at once (each sender's stay in order; a key
    #: introduction or revocation waits for what came before it and holds back what follows).
    consumer_concurrency: int = 4
    #: Messages of one kind applied in one transaction when the kind allows it (reports);
    #: 1 applies every message in a transaction of its own.
    apply_batch: int = 50
    max_deliver: int = 20
    #: Seconds JetStream waits for an ack before redelivering (to another instance, or to the
    #: restarted one after a crash); a longer apply than this would be delivered twice.
    ack_wait_s: float = 60.0
    #: Redeliveries (after 1, 2, 4… s) of a message signed by a key a trusted instance names as
    #: its own but whose introduction has not been applied yet, before it is dead-lettered as
    #: ``unknown-sender``: another instance of this tier may be applying that introduction.
    introduction_retries: int = 3
    #: Largest message a receiver accepts; anything bigger is dead-lettered as ``oversized``.
    max_message_bytes: int = 8 * 1024 * 1024
    shutdown_grace_s: float = 10.0
    #: Database connections each process keeps open (and as many more under a burst).
    db_pool_size: int = 20
    #: HTTP worker processes of this service (uvicorn workers sharing one port); each runs
    #: its own node, and they share the durables and the outbox like separate instances.
    workers: int = 1

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @property
    def secure_cookies(self) -> bool:
        """Cookies are ``Secure`` unless this is plain HTTP on loopback (development)."""
        loopback = self.host in ("127.0.0.1", "localhost", "::1")
        return self.base_url.startswith("https://") or not loopback

    @property
    def sender_id(self) -> str:
        """Identity this instance signs with and that receivers look up keys by."""
        return self.instance or self.tier


def _env_key(name: str) -> str:
    return f"PLENARIA_{name.upper()}"


def load_settings(tier: Tier = "local", environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings for ``tier`` from ``PLENARIA_*`` variables.

    ``PLENARIA_<TIER>_X`` overrides ``PLENARIA_X`` so one environment can describe three tiers
    (e.g. ``PLENARIA_LOCAL_DATABASE_URL`` beside ``PLENARIA_DATABASE_URL``).
    """
    env = os.environ if environ is None else environ
    raw: dict[str, str] = {}
    for field in msgspec.structs.fields(Settings):
        if field.name == "tier":
            continue
        specific = env.get(_env_key(f"{tier}_{field.name}"))
        general = env.get(_env_key(field.name))
        value = specific if specific is not None else general
        if value is not None:
            raw[field.name] = value
    raw.setdefault("port", str(DEFAULT_PORTS[tier]))
    raw.setdefault("instance", tier)
    for boolean in ("log_json",):
        if boolean in raw:
            raw[boolean] = str(raw[boolean].strip().lower() in {"1", "true", "yes", "on"}).lower()
    settings = msgspec.convert({"tier": tier, **raw}, Settings, strict=False)
    check_retention(settings)
    return settings


def check_retention(settings: Settings) -> None:
    """The rule that keeps a restored tier exact: a message leaves the inbox only after it left
    the stream (no replay can apply it twice), and the duplicate window fits in the stream's age
    (JetStream's own requirement)."""
    if settings.inbox_retention_s < settings.stream_max_age_s:
        raise ValueError(
            "PLENARIA_INBOX_RETENTION_S must be at least PLENARIA_STREAM_MAX_AGE_S "
            f"({settings.inbox_retention_s:g} < {settings.stream_max_age_s:g}): a message still "
            "in the stream could then be applied twice after a restore"
        )
    if settings.duplicate_window_s > settings.stream_max_age_s:
        raise ValueError(
            "PLENARIA_DUPLICATE_WINDOW_S must not exceed PLENARIA_STREAM_MAX_AGE_S "
            f"({settings.duplicate_window_s:g} > {settings.stream_max_age_s:g})"
        )


def tier_env(tier: Tier, name: str) -> str:
    """Name of the per-tier environment variable for setting ``name``."""
    return _env_key(f"{tier}_{name}")

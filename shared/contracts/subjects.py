"""The only place that names NATS subjects, streams and durable consumers.

Up traffic (reports, mandates, key introductions) flows on ``plenaria.up.<from_tier>.<kind>.<uf>``;
a local assembly the cycle routes straight to the national stage (``[routing.reports_to]``: a free
or digital national conference) reports, and has its key introduced, on its own
``plenaria.up.direct.<kind>.<uf>``, which only the national tier reads; down traffic (cycle announcements, seat allocations, council responses) on
``plenaria.down.<kind>.<territory>``. Each direction has one stream with a duplicate window, so a
``Nats-Msg-Id`` republished by a relay after a crash is stored once.
"""

from __future__ import annotations

from typing import Final

from shared.core.vocabulary import CHILD, Tier

UP_STREAM: Final = "PLENARIA_UP"
DOWN_STREAM: Final = "PLENARIA_DOWN"
UP_PREFIX: Final = "plenaria.up"
#: The token, in place of the sending tier, of a local message bound straight for the national
#: tier (skipping the state conference, whose durables never see it).
DIRECT: Final = "direct"
DOWN_PREFIX: Final = "plenaria.down"

STREAM_SUBJECTS: Final[dict[str, list[str]]] = {
    UP_STREAM: [f"{UP_PREFIX}.>"],
    DOWN_STREAM: [f"{DOWN_PREFIX}.>"],
}


def _token(value: str) -> str:
    """A subject token: NATS forbids '.', '*', '>' and whitespace inside one."""
    cleaned = "".join("_" if ch in ".*> \t\r\n" else ch for ch in value)
    return cleaned or "_"


def up_subject(from_tier: Tier, kind: str, uf: str) -> str:
    """Subject of a message travelling up from ``from_tier`` for the state ``uf`` (or ``BR``)."""
    return f"{UP_PREFIX}.{from_tier}.{_token(kind)}.{_token(uf)}"


def direct_subject(kind: str, uf: str) -> str:
    """Subject of a local message for the state ``uf`` bound straight for the national tier."""
    return f"{UP_PREFIX}.{DIRECT}.{_token(kind)}.{_token(uf)}"


def is_direct_subject(subject: str) -> bool:
    """True for a local message travelling straight to the national tier."""
    return subject.startswith(f"{UP_PREFIX}.{DIRECT}.")


def down_subject(kind: str, territory: str) -> str:
    """Subject of a message travelling down to ``territory`` (``BR`` for everyone)."""
    return f"{DOWN_PREFIX}.{_token(kind)}.{_token(territory)}"


def is_key_subject(subject: str) -> bool:
    """True for a key introduction or revocation: every message signed after it depends on it."""
    tokens = subject.split(".")
    if subject.startswith(UP_PREFIX + "."):
        kind = tokens[3] if len(tokens) > 3 else ""
    elif subject.startswith(DOWN_PREFIX + "."):
        kind = tokens[2] if len(tokens) > 2 else ""
    else:
        kind = ""
    return kind in (_token("key.introduced"), _token("key.revoked"))


class Subscription:
    """A durable pull consumer: which stream, which subjects, under which durable name."""

    __slots__ = ("durable", "filter_subject", "stream")

    def __init__(self, stream: str, filter_subject: str, durable: str) -> None:
        self.stream = stream
        self.filter_subject = filter_subject
        self.durable = durable

    def __repr__(self) -> str:
        return f"Subscription({self.stream!r}, {self.filter_subject!r}, {self.durable!r})"


def subscriptions(tier: Tier, group: str) -> list[Subscription]:
    """The durable consumers a tier deployment reads from.

    Every instance of one deployment (``group``) shares the same durables, so N instances split
    the work; distinct deployments (e.g. one local instance per state) get their own durables.
    """
    subs: list[Subscription] = []
    child = CHILD[tier]
    if child is not None:
        subs.append(
            Subscription(UP_STREAM, f"{UP_PREFIX}.{child}.>", _token(f"{group}-up-from-{child}"))
        )
    if tier == "national":
        subs.append(
            Subscription(UP_STREAM, f"{UP_PREFIX}.{DIRECT}.>", _token(f"{group}-up-direct"))
        )
    if tier != "national":
        subs.append(Subscription(DOWN_STREAM, f"{DOWN_PREFIX}.>", _token(f"{group}-down")))
    return subs


#: What each tier's instances publish (the broker's copy of ``shared.contracts.authority``:
#: defence in depth, never the authority check itself, since NATS does not tell a receiver who
#: published).
PUBLISHES: Final[dict[Tier, tuple[str, ...]]] = {
    "local": (f"{UP_PREFIX}.local.>", f"{UP_PREFIX}.{DIRECT}.>"),
    "regional": (f"{UP_PREFIX}.regional.>", f"{DOWN_PREFIX}.allocation.*"),
    "national": (
        f"{UP_PREFIX}.national.>",
        f"{DOWN_PREFIX}.allocation.*",
        f"{DOWN_PREFIX}.cycle.*",
        f"{DOWN_PREFIX}.response.*",
    ),
}
JS_API: Final = "$JS.API"


def broker_permissions(tier: Tier, group: str) -> dict[str, dict[str, list[str]]]:
    """A tier deployment's NATS permissions: publish its own subjects, read (and ack) its own
    durables, look at the two streams — and no stream administration (create, update, purge,
    delete), which only the provisioning step's administrator may do."""
    publish = list(PUBLISHES[tier])
    publish += [f"{JS_API}.INFO", *(f"{JS_API}.STREAM.INFO.{name}" for name in STREAM_SUBJECTS)]
    for sub in subscriptions(tier, group):
        durable = f"{sub.stream}.{sub.durable}"
        publish += [
            f"{JS_API}.CONSUMER.CREATE.{durable}",
            f"{JS_API}.CONSUMER.CREATE.{durable}.>",
            f"{JS_API}.CONSUMER.DURABLE.CREATE.{durable}",
            f"{JS_API}.CONSUMER.INFO.{durable}",
            f"{JS_API}.CONSUMER.MSG.NEXT.{durable}",
            f"$JS.ACK.{durable}.>",
        ]
    return {"publish": {"allow": publish}, "subscribe": {"allow": ["_INBOX.>"]}}

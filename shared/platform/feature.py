"""What a feature adds to a tier's process, so a tier service is a list of features.

A feature is HTTP routes, the services those routes are handed (by parameter name, built once
per process from the node), and the bus handlers it applies (by message kind). A tier's
composition root (``services/<tier>/app.py``) lists its features with their configuration;
:func:`shared.platform.web.app.create_app` mounts them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from shared.platform.web.open_data import Dataset

if TYPE_CHECKING:
    from shared.platform.bus.inbox import Handler
    from shared.platform.node import Node

ServiceFactory = Callable[["Node"], Mapping[str, Any]]
HandlerFactory = Callable[["Node"], Mapping[str, "Handler"]]


def _no_services(node: Node) -> Mapping[str, Any]:
    return {}


def _no_handlers(node: Node) -> Mapping[str, Handler]:
    return {}


def _no_middleware(node: Node) -> Sequence[Any]:
    return ()


class BackgroundLoop(Protocol):
    """Work a feature runs beside its routes (e.g. a draw that takes minutes): the node
    supervises ``run`` (restarted if it crashes) and calls ``stop`` when the process stops."""

    name: str

    async def run(self) -> None: ...

    def stop(self) -> None: ...


def _no_loops(node: Node) -> Sequence[BackgroundLoop]:
    return ()


@dataclass(frozen=True)
class Feature:
    """A service name must not equal a field name of any request body its routes take:
    Litestar reports a body field's validation error under a dependency of the same name as
    a server error (a 500), not the client's 400."""

    name: str
    routes: Sequence[Any] = ()
    services: ServiceFactory = _no_services
    handlers: HandlerFactory = _no_handlers
    #: Public datasets (open data) this feature publishes.
    datasets: Sequence[Dataset] = ()
    #: ASGI middleware the feature runs around every route (outermost first).
    middleware: Callable[[Node], Sequence[Any]] = _no_middleware
    #: Folders of the Jinja templates its pages render.
    templates: Sequence[Path] = ()
    #: Pages the tier's front page links to: ``(path, label)``, the label a catalogue msgid.
    front_links: Sequence[tuple[str, str]] = ()
    #: Background loops the node runs for this feature.
    loops: Callable[[Node], Sequence[BackgroundLoop]] = _no_loops


@dataclass(frozen=True)
class TierDefinition:
    """A tier service: its title and the features it mounts."""

    title: str
    features: Sequence[Feature]

    def handlers(self, node: Node) -> dict[str, Handler]:
        """Every feature's bus handlers; two features may not handle the same kind."""
        merged: dict[str, Handler] = {}
        for feature in self.features:
            for kind, handler in feature.handlers(node).items():
                if kind in merged:
                    raise ValueError(f"two features of {self.title} handle {kind!r} messages")
                merged[kind] = handler
        return merged

    def datasets(self) -> list[Dataset]:
        """Every feature's datasets; two features may not publish the same name."""
        found = [d for feature in self.features for d in feature.datasets]
        names = [d.name for d in found]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"two features of {self.title} publish {duplicated}")
        return found

    def loops(self, node: Node) -> list[BackgroundLoop]:
        return [loop for feature in self.features for loop in feature.loops(node)]

    def template_folders(self) -> list[Path]:
        return [folder for feature in self.features for folder in feature.templates]

    def services(self, node: Node) -> dict[str, Any]:
        """Every feature's services, built in the features' order: a feature may use the
        services of one listed before it (``node.services``)."""
        for feature in self.features:
            for name, service in feature.services(node).items():
                if name in node.services:
                    raise ValueError(f"two features of {self.title} provide {name!r}")
                node.services[name] = service
        return dict(node.services)

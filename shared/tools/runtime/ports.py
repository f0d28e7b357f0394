"""Loopback TCP ports for the embedded servers and the services `plenaria up` starts."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request

LOOPBACK = "127.0.0.1"

# Ports handed out by this process; the kernel may offer a just-released port twice in a row,
# and two servers told the same port would fail to start.
_handed_out: set[int] = set()


def free_port(host: str = LOOPBACK) -> int:
    """Return a port nobody listens on now and this process has not handed out before."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port: int = sock.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port
    raise RuntimeError(f"no free TCP port found on {host}")


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True if a server could listen on ``port`` now (connections in TIME_WAIT do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def accepts_connections(port: int, host: str = LOOPBACK, timeout: float = 0.5) -> bool:
    """True if something accepts a TCP connection on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# Loopback requests must never go through an HTTP proxy configured in the environment.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_get(url: str, timeout: float = 2.0) -> tuple[int, bytes] | None:
    """GET ``url`` without proxies; the status and body, or None if nothing answered."""
    try:
        with _direct.open(url, timeout=timeout) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as err:
        return err.code, err.read()
    except (urllib.error.URLError, OSError):
        return None

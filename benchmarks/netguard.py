"""Refuse any network use beyond loopback in this process.

The benchmarks run everything in memory (moto, the fake, botocore's Stubber),
so no request should ever leave the machine. :func:`install` makes sure: name
lookups of any host that is not loopback, and connections to any address that
is not loopback, raise :class:`NetworkBlocked` instead. ``benchmarks/run.py``
installs it in its own process and, through a ``conftest.py``, in the pytest
processes it starts.
"""

from __future__ import annotations

import socket
from typing import Any

__all__ = ["NetworkBlocked", "install", "is_loopback"]

_LOOPBACK_NAMES = frozenset(
    {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback", "::1"}
)


class NetworkBlocked(OSError):
    """A benchmark tried to reach a host that is not loopback."""


def is_loopback(host: object) -> bool:
    """Whether ``host`` (a name or address; ``None`` for the local host) is loopback."""
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if not isinstance(host, str):
        return False
    name = host.strip("[]").lower()
    return name in _LOOPBACK_NAMES or name.startswith("127.") or name == "0:0:0:0:0:0:0:1"


def _check(address: Any) -> None:
    if isinstance(address, (str, bytes)):  # an AF_UNIX path
        return
    host = address[0] if isinstance(address, tuple) and address else address
    if not is_loopback(host):
        raise NetworkBlocked(f"benchmarks never leave loopback: refused to connect to {address!r}")


_installed = False


def install() -> None:
    """Refuse lookups and connections to anything but loopback from now on (idempotent)."""
    global _installed
    if _installed:
        return
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback(host):
            raise NetworkBlocked(f"benchmarks never leave loopback: refused to look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self: socket.socket, address: Any) -> None:
        _check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check(address)
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    _installed = True

"""The no-network guard: a process-wide audit hook that makes every outbound connection attempt
fail loudly. dipkg's serving, query and parsing paths never need the network (no SERVICE, no
remote contexts, no remote graphs), so anything that tries is a bug or an attack.

Installed by the ``dipkg`` console entry point, by ``dipkg serve`` before it forks workers, and
in every query worker. An audit hook cannot be removed, so it is never installed in-process by
library code that tests import. The one exception to the rule is a remote store the operator
configured: opening it allows its host and port (:func:`allow`), and nothing else.
"""

from __future__ import annotations

import socket
import sys

_INSTALLED = False
_ALLOWED: set[tuple[str, int]] = set()  # (host or address, port) of a configured remote store


class NetworkRefusedError(PermissionError):
    """An outbound connection was attempted in a process that makes none."""


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event in ("socket.connect", "socket.getaddrinfo"):
        target = args[1] if event == "socket.connect" else args[:2]
        if event == "socket.connect":
            sock = args[0]
            if isinstance(sock, socket.socket) and sock.family == socket.AF_UNIX:
                return  # local IPC (for example multiprocessing), not the network
        if isinstance(target, tuple) and len(target) >= 2 and (target[0], target[1]) in _ALLOWED:
            return
        raise NetworkRefusedError(
            f"dipkg makes no outbound connections; refused {event} to {target!r}"
        )


def allow(host: str, port: int) -> None:
    """Let this process reach one host and port: the remote store the operator configured
    (its addresses are resolved now, before any query or document is handled)."""
    _ALLOWED.add((host, port))
    try:
        for *_, address in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP):
            _ALLOWED.add((str(address[0]), port))
    except OSError:
        pass  # unresolvable now: requests to it will fail with a clear store error


def forbid_network() -> None:
    """Install the guard in this process (once)."""
    global _INSTALLED
    if not _INSTALLED:
        sys.addaudithook(_hook)
        _INSTALLED = True

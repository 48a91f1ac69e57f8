"""The no-network guard: a process-wide audit hook that makes every outbound connection attempt
fail loudly. dipkg's serving, query and parsing paths never need the network (no SERVICE, no
remote contexts, no remote graphs), so anything that tries is a bug or an attack.

Installed by the ``dipkg`` console entry point, by ``dipkg serve`` before it forks workers, and
in every query worker. An audit hook cannot be removed, so it is never installed in-process by
library code that tests import.
"""

from __future__ import annotations

import socket
import sys

_INSTALLED = False


class NetworkRefusedError(PermissionError):
    """An outbound connection was attempted in a process that makes none."""


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event in ("socket.connect", "socket.getaddrinfo"):
        target = args[1] if event == "socket.connect" else args[:2]
        if event == "socket.connect":
            sock = args[0]
            if isinstance(sock, socket.socket) and sock.family == socket.AF_UNIX:
                return  # local IPC (for example multiprocessing), not the network
        raise NetworkRefusedError(
            f"dipkg makes no outbound connections; refused {event} to {target!r}"
        )


def forbid_network() -> None:
    """Install the guard in this process (once)."""
    global _INSTALLED
    if not _INSTALLED:
        sys.addaudithook(_hook)
        _INSTALLED = True

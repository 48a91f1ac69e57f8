"""The no-network guards. dipkg's serving, query and parsing paths never need the network (no
SERVICE, no remote contexts, no remote graphs), so anything that tries is a bug or an attack.

- :func:`forbid_network`: a process-wide audit hook that makes every outbound connection from
  Python code fail loudly. Installed by the ``dipkg`` console entry point, by ``dipkg serve``
  before it forks workers, and in every query process. An audit hook cannot be removed, so it
  is never installed in-process by library code that tests import. The exceptions are what
  the operator configured: opening a remote store allows its host and port, an ingest on a
  Dask cluster its scheduler's host (a local cluster: loopback), through :func:`allow`.
- :func:`close_network`: the kernel's word for it. Oxigraph's HTTP client (SERVICE) is native
  code that no audit hook sees, so a process that runs an embedded engine on user input closes
  the network for itself with a seccomp filter: from then on it can create no socket but a
  Unix one (and no io_uring, which could open sockets another way). Irreversible, inherited
  by its children.
"""

from __future__ import annotations

import errno
import socket
import sys

from kg.errors import StoreError

_INSTALLED = False
_ALLOWED: set[tuple[str, int | None]] = set()  # (host or address, port) the operator configured


class NetworkRefusedError(PermissionError):
    """An outbound connection was attempted in a process that makes none."""


def _hook(event: str, args: tuple[object, ...]) -> None:
    if event in ("socket.connect", "socket.getaddrinfo"):
        target = args[1] if event == "socket.connect" else args[:2]
        if event == "socket.connect":
            sock = args[0]
            if isinstance(sock, socket.socket) and sock.family == socket.AF_UNIX:
                return  # local IPC (for example multiprocessing), not the network
        if isinstance(target, tuple) and len(target) >= 2:
            if (target[0], target[1]) in _ALLOWED or (target[0], None) in _ALLOWED:
                return
        raise NetworkRefusedError(
            f"dipkg makes no outbound connections; refused {event} to {target!r}"
        )


def allow(host: str, port: int | None) -> None:
    """Let this process reach one host and port (``None``: any port): the remote store or the
    Dask scheduler the operator configured, or the loopback workers of a local cluster (its
    addresses are resolved now, before any query or document is handled)."""
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


def close_network() -> None:
    """Make this process unable to open any socket but a Unix one, at the kernel (seccomp).

    Raises:
        StoreError: the kernel or libseccomp cannot install the filter (not Linux, or no
            ``libseccomp.so.2``); the caller must then not run user queries.
    """
    try:
        import pyseccomp as seccomp

        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        refuse = seccomp.ERRNO(errno.EACCES)
        rules.add_rule(refuse, "socket", seccomp.Arg(0, seccomp.NE, socket.AF_UNIX))
        for call in ("io_uring_setup", "io_uring_enter", "io_uring_register"):
            rules.add_rule(refuse, call)
        rules.load()
    except (ImportError, OSError, RuntimeError, ValueError) as exc:
        raise StoreError(
            f"The query process could not close its network access ({exc}).",
            hint="dipkg needs Linux with libseccomp (Debian: libseccomp2) to run queries "
            "on an embedded store safely.",
        ) from exc

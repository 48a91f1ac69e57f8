"""Child processes that do not outlive their parent.

A query process, the front door of ``dipkg serve`` and an extraction worker of a parallel
ingest each arm the kernel's parent-death signal first, so that a parent killed with SIGKILL
leaves none of them behind.
"""

from __future__ import annotations

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int, sig: signal.Signals = signal.SIGKILL) -> None:
    """Have the kernel send ``sig`` to this process when its parent ends; exit at once if
    the parent (whose pid is ``parent``) already ended before the signal was armed.

    Off Linux there is no such signal; the pipe to the parent ending still ends the child's
    loop there.
    """
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)

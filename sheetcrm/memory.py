"""Giving memory back to the system between the big steps of a sync."""

from __future__ import annotations

import ctypes
import sys


def release_freed_memory() -> None:
    """Return the memory C and Rust code has freed to the system.

    glibc keeps freed memory in the arena of the thread that used it; memory the
    read-back freed on a second thread cannot serve the next read on this one,
    so at 100,000 clients a sync would hold tens of MB twice. malloc_trim gives
    it back. Elsewhere (Windows, macOS, musl) this does nothing.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except Exception:  # no glibc (musl): a saving missed must never fail a sync
        return

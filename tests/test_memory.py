"""Memory a second thread freed goes back to the system before the next big read."""

from __future__ import annotations

import sys
import threading

import pytest

from sheetcrm.memory import release_freed_memory

MB = 2**20


def _resident() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def _churn(out: list[bytes]) -> None:
    """As the read-back thread does: many blocks allocated and freed, one kept after them
    (it holds the top of the thread's heap, so glibc cannot shrink the heap by itself)."""
    blocks = [bytes(2000 + i % 5000) for i in range(20_000)]  # about 90 MB
    out.append(bytes(3000))
    del blocks


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim")
def test_memory_freed_on_another_thread_goes_back_to_the_system():
    kept: list[bytes] = []
    thread = threading.Thread(target=_churn, args=(kept,))
    thread.start()
    thread.join()
    held = _resident()
    release_freed_memory()
    assert held - _resident() > 50 * MB

"""What `notify` sent on which day: the once-a-day rule survives restarts and cron.

A small JSON file: {"days": {"2026-11-23": {"email:Olga": {"at": ..., "to": ...}}}}.
Only the last few days are kept. Written to a temporary file and renamed,
so a crash mid-write never leaves half a file that would resend everything.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sheetcrm.errors import SourceError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; runs are not kept apart there
    fcntl = None  # type: ignore[assignment]

KEEP_DAYS = 14


@contextmanager
def one_at_a_time(path: Path) -> Iterator[None]:
    """Hold `path`.lock: a second notify (cron beside the daemon, a run by hand) waits for
    the first, then reads what it sent instead of sending it again."""
    lock = path.with_name(path.name + ".lock")
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        handle = open(lock, "a", encoding="utf-8")  # closed below, with the lock
    except OSError as exc:
        raise SourceError(f"{lock}: cannot open it ({exc.strerror})") from None
    with handle:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield


class SentState:
    def __init__(
        self, path: Path, days: dict[str, dict[str, dict[str, Any]]] | None = None
    ) -> None:
        self.path = path
        self.days = days or {}

    @classmethod
    def load(cls, path: Path) -> SentState:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            raise SourceError(
                f"{path}: cannot read the notify state file ({exc}); "
                "delete it to start afresh (today's lists may then go out again)"
            ) from None
        days = data.get("days") if isinstance(data, dict) else None
        if not isinstance(days, dict):
            raise SourceError(f"{path}: not a notify state file; delete it to start afresh")
        return cls(path, days)

    def sent(self, day: date, key: str) -> dict[str, Any] | None:
        """What was recorded for `key` on `day` (None when nothing was)."""
        return self.days.get(day.isoformat(), {}).get(key)

    def record(self, day: date, key: str, **details: Any) -> None:
        self.days.setdefault(day.isoformat(), {})[key] = details

    def mark_complete(self, day: date, when: str) -> None:
        """Every recipient of `day` was served: a scheduler need not try again."""
        self.record(day, "*complete*", at=when)

    def complete(self, day: date) -> bool:
        return self.sent(day, "*complete*") is not None

    def save(self, today: date) -> None:
        # counted from the latest day on record: a run with --date in the past drops nothing newer
        latest = max([today.isoformat(), *self.days])
        oldest = (date.fromisoformat(latest) - timedelta(days=KEEP_DAYS)).isoformat()
        days = {d: v for d, v in sorted(self.days.items()) if d >= oldest}
        write_atomic(self.path, json.dumps({"days": days}, ensure_ascii=False, indent=1) + "\n")


def write_atomic(path: Path, content: str) -> None:
    """Write `content` to `path` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(content)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise SourceError(f"{path}: cannot write it ({exc.strerror})") from None

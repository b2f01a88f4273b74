"""The file-level rules of writing back: fingerprint, lock files, backups, atomic replace."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sheetcrm.errors import ChangedSinceRead, LockedError, SourceError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; writers are not kept apart there
    fcntl = None  # type: ignore[assignment]

BACKUP_DIR = ".sheetcrm-backups"
WRITER_WAIT = 120.0  # seconds a writing command waits for another one before giving up


def fingerprint(path: Path) -> tuple[int, str]:
    """Size and content hash: an mtime alone misses a save within the same second."""
    try:
        with path.open("rb") as f:  # read in blocks: no copy of the whole file in memory
            digest = hashlib.file_digest(f, lambda: hashlib.blake2b(digest_size=16))
            size = f.tell()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read it ({exc.strerror})") from None
    return size, digest.hexdigest()


def ensure_unchanged(path: Path, expected: object) -> None:
    if fingerprint(path) != expected:
        raise ChangedSinceRead(
            f"{path}: the file changed since sheetcrm read it (someone saved it meanwhile); "
            "nothing was written. Run the command again."
        )


def lock_files(path: Path) -> list[Path]:
    """Lock files Excel (~$name) and LibreOffice (.~lock.name#) keep beside an open workbook."""
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    if len(path.name) > 2:  # Excel drops the first two characters of long names
        candidates.append(path.with_name("~$" + path.name[2:]))
    return [p for p in candidates if p.exists()]


def ensure_not_open(*paths: Path) -> None:
    """No lock file beside any of `paths` (a link and the file it leads to, say)."""
    for path in dict.fromkeys(paths):
        if locks := lock_files(path):
            who = "LibreOffice" if locks[0].name.startswith(".~lock.") else "Excel"
            raise LockedError(
                f"{path}: the workbook is open in {who} (lock file {locks[0].name}); "
                "close it there and run the command again. Nothing was written."
            )


@contextmanager
def one_writer(path: Path, label: str) -> Iterator[None]:
    """Keep sheetcrm's writers of one source (`label`) apart, from reading it to writing
    it, by a lock file beside `path`: a second one (a handover by hand while cron syncs)
    waits, then reads what the first wrote, rather than both writing one temporary file
    and failing each other, or both adding the same rows to a Google Log."""
    real = path.resolve()  # one lock for every path (a link, say) to the workbook
    lock = real.with_name(f".{real.name}.sheetcrm-lock")
    try:
        handle = open(lock, "a")  # noqa: SIM115  (held open by the with below)
    except OSError:  # a folder sheetcrm cannot write in: writing back says so
        yield
        return
    with handle:
        if fcntl is not None:
            _wait_for(handle, label, lock)
        yield


def _wait_for(handle: object, label: str, lock: Path) -> None:
    deadline = time.monotonic() + WRITER_WAIT
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise LockedError(
                    f"{label}: another sheetcrm command has been writing to it for "
                    f"{WRITER_WAIT:g} s (it holds {lock.name}); nothing was written. "
                    "Run the command again once it has finished."
                ) from None
            time.sleep(0.1)


def backup(path: Path, keep: int, now: datetime | None = None) -> Path | None:
    """Copy the workbook into .sheetcrm-backups/ beside it, keeping the newest `keep` copies."""
    if keep <= 0:
        return None
    folder = path.parent / BACKUP_DIR
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{path.stem}.{stamp}{path.suffix}"
    try:
        folder.mkdir(exist_ok=True)
        shutil.copy2(path, target)
        others = own_backups(folder, path, exclude=target)  # the new copy always stays
        for old in others[: max(len(others) - (keep - 1), 0)]:
            old.unlink()
    except OSError as exc:
        raise SourceError(
            f"{path}: cannot keep a backup in {folder} ({exc.strerror}); nothing was written"
        ) from None
    return target


def own_backups(folder: Path, path: Path, exclude: Path) -> list[Path]:
    """This workbook's backups, oldest first: its exact stem and a stamp, so that the
    backups of crm.old.xlsx are not taken for those of crm.xlsx."""
    name = re.compile(re.escape(path.stem) + r"\.\d{8}-\d{6}-\d{6}" + re.escape(path.suffix))
    return sorted(p for p in folder.iterdir() if p != exclude and name.fullmatch(p.name))


def write_target(path: Path) -> Path:
    """The file a write changes: a symbolic link's target (a team's shared copy, not a
    new file in place of the link); refused when the file is marked read-only."""
    target = path.resolve() if path.is_symlink() else path
    try:
        mode = target.stat().st_mode
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
        raise SourceError(
            f"{path}: the file is read-only; make it writable to write back. Nothing was written."
        )
    return target


def temp_beside(path: Path) -> Path:
    return path.with_name(f".{path.stem}.sheetcrm-tmp{path.suffix}")


def replace(temp: Path, path: Path) -> None:
    """Atomically put the verified temporary file in place of the workbook."""
    try:
        shutil.copymode(path, temp)
        os.replace(temp, path)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise SourceError(
            f"{path}: cannot replace it ({exc.strerror}); the workbook is unchanged"
        ) from None

"""`sheetcrm run`: sync every few minutes, send the lists at the set time.

Built on its own `schedule.Scheduler()`: a sync job every
schedule.sync_every_minutes and a one-minute job that sends the lists once
they are due. Whether they are due is decided here, from the injected clock
in the configured time zone (working day, time of day, not yet sent today),
so the time zone needs no pytz and tests can move the clock. Every job is
wrapped: an error is logged, the job's interval grows (backoff, bounded),
and the loop goes on. SIGINT and SIGTERM let the current step finish.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import sys
import threading
from collections.abc import Callable, Collection
from contextlib import ExitStack
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from types import FrameType
from typing import Any

import schedule

from sheetcrm.config import Config, Schedule, notify_time, working_days
from sheetcrm.delivery import check_settings
from sheetcrm.errors import ConfigError, DeliveryError, SheetCrmError
from sheetcrm.sent_state import SentState, write_atomic
from sheetcrm.sync import describe as describe_sync
from sheetcrm.sync import sync as run_sync
from sheetcrm.workspace import load

log = logging.getLogger("sheetcrm.run")

MAX_BACKOFF_MINUTES = 60
RUN_BY = "sheetcrm run"


def notify_due(now: datetime, sch: Schedule, zone: tzinfo, days_off: Collection[date] = ()) -> bool:
    """The lists are due from notify_at on a working day in `zone` that is not one of
    `days_off` (the holidays), until midnight there."""
    local = now.astimezone(zone)
    if local.weekday() not in working_days(sch) or local.date() in days_off:
        return False
    return local.time() >= notify_time(sch)


def one_line(text: str) -> str:
    """sync's report, a sentence and its indented details, as one sentence for the log:
    "crm.xlsx: synced; did fill 2 missing client ID(s)." (not "synced.; did ...")."""
    first, *details = [line.strip() for line in text.splitlines() if line.strip()]
    if not details:
        return first
    return "; ".join([first.removesuffix("."), *details]) + "."


class _ZoneFormatter(logging.Formatter):
    """Timestamps in the team's time zone, with the offset, whatever the server's zone."""

    def __init__(self, zone: Any) -> None:
        super().__init__("%(asctime)s %(levelname)s %(message)s")
        self.zone = zone

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="seconds")


def setup_logging(cfg: Config, verbose: bool = False) -> None:
    """Timestamped lines to stderr, and to schedule.log_file when set."""
    root = logging.getLogger("sheetcrm")
    for handler in [h for h in root.handlers if getattr(h, "sheetcrm", False)]:
        root.removeHandler(handler)
        handler.close()
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if cfg.schedule.log_file:
        path = cfg.path(cfg.schedule.log_file)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # reopened when logrotate (or a person) moves or deletes the file
            handlers.append(logging.handlers.WatchedFileHandler(path, encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"schedule.log_file: cannot write {path} ({exc.strerror})") from None
    formatter = _ZoneFormatter(cfg.zone())
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.sheetcrm = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)


class Daemon:
    """The loop of `sheetcrm run`; `clock` and `sleep` are injectable for tests."""

    def __init__(
        self,
        config: Config | Callable[[], Config],
        source: str | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], Any] | None = None,
        verbose: bool = False,
    ) -> None:
        # A callable config is read again before every step, so a bad edit to
        # config.yaml is one failed run, and fixing it needs no restart.
        self._config = config if callable(config) else (lambda: config)
        self.source = source
        self.verbose = verbose
        cfg = self._config()
        self.zone = cfg.zone()
        self.clock = clock or (lambda: datetime.now(self.zone))
        self._wake = threading.Event()
        self.sleep = sleep or self._wake.wait
        # what would fail at 08:30 stops us at start instead
        working_days(cfg.schedule)
        notify_time(cfg.schedule)
        if cfg.schedule.working_days:
            check_settings(cfg, cfg.notify.via, os.environ)
        self.every = max(1, cfg.schedule.sync_every_minutes)
        self.scheduler = schedule.Scheduler()
        self.sync_job = self.scheduler.every(self.every).minutes.do(self._guarded, "sync")
        self.notify_job = self.scheduler.every(1).minutes.do(self._guarded, "notify")
        self.base = {"sync": self.every, "notify": 1}
        self.failures = {"sync": 0, "notify": 0}
        self.lists_wait_for_sheet = False  # notify failed reading the sheet, not delivering
        self.stop_requested = False
        self.last_sync: datetime | None = None
        self.offset: timedelta | None = None  # the server's UTC offset when last looked at

    # -- one step ----------------------------------------------------------

    def local_now(self, cfg: Config) -> datetime:
        """Now in the zone config.yaml names now: an edit of `timezone` needs no restart."""
        return self.clock().astimezone(cfg.zone())

    def lists_pending(self, cfg: Config, local: datetime) -> bool:
        """Due now, and not every recipient has been served today."""
        if not notify_due(local, cfg.schedule, cfg.zone(), cfg.days_off()):
            return False
        from sheetcrm.sending import sent_file

        sent = sent_file(cfg, self.workbook(cfg))
        return not SentState.load(sent).complete(local.date())

    def workbook(self, cfg: Config) -> Path | None:
        """The Excel workbook synced (None for a Google Sheet): its folder holds the sent
        lists and the heartbeat when no config.yaml says where."""
        from sheetcrm.backends import google_key

        location = self.source or cfg.source_location()
        return None if not location or google_key(location) else Path(location)

    def step(self, with_lists: bool) -> SheetCrmError | None:
        """Sync once; then send the lists when asked and due. Raises on failure.

        The lists need only a read: when the sync cannot write (the workbook
        is open in Excel at 08:30, say), they still go out, and the sync's
        error, logged already, is returned: the lists did not fail.
        """
        cfg = self._config()
        local = self.local_now(cfg)
        lists = with_lists and self.lists_pending(cfg, local)
        sync_error: SheetCrmError | None = None
        with ExitStack() as writing:  # other sheetcrm writers of the workbook wait meanwhile
            ws = load(cfg, self.source, local.date(), hold=writing.enter_context)
            try:
                result = run_sync(ws, local.strftime("%Y-%m-%d %H:%M:%S"), RUN_BY)
            except SheetCrmError as exc:
                if not lists:
                    raise
                sync_error = exc
                log.error("sync failed: %s; the lists go out from the sheet as read", exc)
            else:
                for warning in result.warnings:
                    log.warning("%s", warning)
                described = describe_sync(result, ws.backend.label, False, cfg.language)
                log.info("%s", one_line(described))
                self.last_sync = local
                sch = cfg.schedule
                heartbeat = cfg.kept(
                    sch.heartbeat_file, Schedule().heartbeat_file, self.workbook(cfg)
                )
                write_atomic(heartbeat, local.isoformat(timespec="seconds") + "\n")
        if lists:
            from sheetcrm.sending import describe, send_lists

            report = send_lists(ws, cfg.notify.via, local)
            for line in describe(report, cfg.language):
                (log.info if report.ok else log.warning)("notify: %s", line)
            if not report.ok:
                failed = f"{len(report.failed)} message(s) failed; they will be tried again"
                raise DeliveryError(report.batch.fatal or failed)
        return sync_error

    def _guarded(self, name: str) -> None:
        """Run a job; an error is logged and the job's next run is pushed back."""
        job = self.sync_job if name == "sync" else self.notify_job
        if self.stop_requested:
            return  # asked to stop: schedule may have more jobs due, none of them starts
        try:
            if name == "notify":
                cfg = self._config()
                if not self.lists_pending(cfg, self.local_now(cfg)):
                    return
            self.step(with_lists=name == "notify")
        except Exception as exc:  # noqa: BLE001 - the loop must outlive any one run
            self.failures[name] += 1
            # twice the usual interval after one failure, four times after two, ...
            wait = min(
                self.base[name] * 2 ** self.failures[name],
                max(self.base[name], MAX_BACKOFF_MINUTES),
            )
            job.interval = wait
            if name == "notify":
                self.lists_wait_for_sheet = not isinstance(exc, DeliveryError)
            what = str(exc) if isinstance(exc, SheetCrmError) else f"{type(exc).__name__}: {exc}"
            what = what.rstrip(". ")  # one sentence with what follows: "written; next try"
            log.error("%s failed: %s; next try in %d min", name, what, wait, exc_info=self.verbose)
            return
        if self.failures[name]:
            log.info("%s works again after %d failed run(s)", name, self.failures[name])
        self.failures[name] = 0
        job.interval = self.base[name]
        if name == "sync" and self.failures["notify"] and self.lists_wait_for_sheet:
            # the sheet reads again: lists held back by notify's backoff go out now (a mail
            # server that failed them waits its backoff out: it is not tried at every sync)
            self.notify_job.interval = self.base["notify"]
            self.notify_job.next_run = self.clock().astimezone().replace(tzinfo=None)

    # -- the loop ----------------------------------------------------------

    def request_stop(self, signum: int, frame: FrameType | None = None) -> None:
        if self.stop_requested:
            raise KeyboardInterrupt  # asked twice: stop now
        self.stop_requested = True
        self._wake.set()
        log.info("%s: finishing the current step, then exiting", signal.Signals(signum).name)

    def run_once(self) -> bool:
        """One sync and the lists if due (for cron); True when all went well."""
        try:
            return self.step(with_lists=True) is None
        except SheetCrmError as exc:
            log.error("%s", exc, exc_info=self.verbose)
        except Exception as exc:  # noqa: BLE001 - cron wants one line and an exit code
            log.error("unexpected %s: %s", type(exc).__name__, exc, exc_info=self.verbose)
        return False

    def _after_clock_change(self) -> None:
        """schedule counts in the server's naive local time. When the server's zone changes
        its offset (DST), due times move with it: in autumn, jobs would wait an extra hour.
        When the clock is set back otherwise, no job waits longer than its interval."""
        now = self.clock().astimezone()
        offset = now.utcoffset() or timedelta(0)
        shift = offset - self.offset if self.offset is not None else timedelta(0)
        self.offset = offset
        for job in self.scheduler.jobs:
            if job.next_run is not None:
                latest = now.replace(tzinfo=None) + timedelta(**{str(job.unit): job.interval})
                job.next_run = min(job.next_run + shift, latest)

    def run_forever(self) -> None:
        cfg = self._config()
        sch = cfg.schedule
        log.info(
            "started: sync every %d min; lists at %s on %s (%s)",
            self.every,
            sch.notify_at,
            ", ".join(sch.working_days),
            cfg.timezone,
        )
        previous = {s: signal.signal(s, self.request_stop) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.scheduler.run_all()  # a sync right away, and the lists if already due
            while not self.stop_requested:
                self._after_clock_change()
                self.scheduler.run_pending()
                if self.stop_requested:
                    break
                idle = self.scheduler.idle_seconds
                self.sleep(min(max(idle or 0.0, 0.5), 60.0))
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
            log.info("stopped")

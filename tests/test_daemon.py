"""`sheetcrm run` with a controlled clock: when the jobs fire, errors, backoff, signals, --once."""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import signal
import subprocess
import sys
import time
import types
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import schedule
from click.testing import CliRunner
from notify_book import make_book, write_config

from sheetcrm.cli import cli
from sheetcrm.config import Schedule, load_config
from sheetcrm.daemon import Daemon, notify_due
from sheetcrm.errors import ConfigError, SourceError

MSK = ZoneInfo("Europe/Moscow")
ROOT = Path(__file__).parent.parent


def msk(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=MSK)


class Clock:
    """The daemon's clock and sleep, and schedule's idea of now, all on one fake time."""

    def __init__(self, start: dt.datetime, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = start
        self.stop_at: dt.datetime | None = None
        self.daemon: Daemon | None = None
        self.on_sleep: list = []
        clock = self

        class FakeDatetime(dt.datetime):
            @classmethod
            def now(cls, tz=None):  # schedule keeps naive local times
                return (
                    clock.now.astimezone(tz) if tz else clock.now.astimezone().replace(tzinfo=None)
                )

        fake = types.SimpleNamespace(datetime=FakeDatetime, timedelta=dt.timedelta, time=dt.time)
        monkeypatch.setattr(schedule, "datetime", fake)

    def __call__(self) -> dt.datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)
        for hook in self.on_sleep:
            hook(self.now)
        if self.stop_at and self.now >= self.stop_at and self.daemon:
            self.daemon.stop_requested = True


def daemon_for(tmp_path, monkeypatch, start, stop, sections=None, **schedule_cfg):
    book = make_book(tmp_path)
    sch = {"sync_every_minutes": 60, "notify_at": "08:30", "heartbeat_file": "hb", **schedule_cfg}
    cfg_path = write_config(
        tmp_path, notify={"via": "dir", "outbox": "out"}, schedule=sch, **(sections or {})
    )
    clock = Clock(start, monkeypatch)
    clock.stop_at = stop
    daemon = Daemon(
        lambda: load_config(cfg_path, environ={}), str(book), clock=clock, sleep=clock.sleep
    )
    clock.daemon = daemon
    return daemon, clock, cfg_path


def sent_state(tmp_path) -> dict:
    return json.loads((tmp_path / ".sheetcrm-sent.json").read_text(encoding="utf-8"))["days"]


def test_lists_are_due_from_the_set_local_time_on_working_days():
    sch = Schedule(notify_at="08:30", working_days=["mon", "tue", "wed", "thu", "fri"])
    assert notify_due(msk(27, 8, 30), sch, MSK)  # Friday 08:30 in Moscow
    assert not notify_due(msk(27, 8, 29), sch, MSK)
    assert notify_due(dt.datetime(2026, 11, 27, 5, 30, tzinfo=dt.UTC), sch, MSK)  # = 08:30 MSK
    assert not notify_due(dt.datetime(2026, 11, 27, 5, 29, tzinfo=dt.UTC), sch, MSK)
    assert not notify_due(msk(27, 11, 29), sch, dt.UTC)  # 08:29 in UTC
    assert not notify_due(msk(28, 9, 0), sch, MSK)  # Saturday
    assert not notify_due(msk(27, 9, 0), sch, MSK, {dt.date(2026, 11, 27)})  # a holiday
    assert notify_due(msk(28, 9, 0), Schedule(notify_at="9:00", working_days=["сб"]), MSK)
    with pytest.raises(ConfigError, match="schedule.notify_at: '8.30' is not a time of day"):
        notify_due(msk(27, 9), Schedule(notify_at="8.30"), MSK)
    with pytest.raises(ConfigError, match="schedule.working_days: 'funday' is not a day"):
        notify_due(msk(27, 9), Schedule(working_days=["funday"]), MSK)


def test_lists_go_out_at_0830_on_friday_and_not_on_saturday(tmp_path, monkeypatch):
    daemon, clock, _ = daemon_for(
        tmp_path, monkeypatch, msk(27, 7, 50), msk(28, 10, 0), sync_every_minutes=120
    )
    daemon.run_forever()
    days = sent_state(tmp_path)
    assert list(days) == ["2026-11-27"]  # nothing on Saturday
    friday = days["2026-11-27"]
    assert {"dir:Olga", "dir:Ivan", "dir:Anna", "dir:Maria", "*complete*"} == set(friday)
    at = dt.datetime.fromisoformat(friday["dir:Olga"]["at"])
    assert msk(27, 8, 30) <= at < msk(27, 8, 31)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-11-27"]
    # syncs went on through Saturday: the last one within two hours of the stop
    beat = dt.datetime.fromisoformat((tmp_path / "hb").read_text().strip())
    assert msk(28, 8, 0) <= beat <= msk(28, 10, 0)


def test_an_error_is_logged_and_the_next_run_comes_with_backoff(tmp_path, monkeypatch, caplog):
    import sheetcrm.daemon as daemon_module

    daemon, clock, _ = daemon_for(
        tmp_path, monkeypatch, msk(28, 10, 0), msk(28, 11, 15), sync_every_minutes=10
    )
    real_sync = daemon_module.run_sync
    calls: list[dt.datetime] = []

    def flaky_sync(*args, **kwargs):
        calls.append(clock.now)
        if len(calls) <= 2:
            raise SourceError("crm.xlsx: cannot read it (Permission denied); nothing was written.")
        return real_sync(*args, **kwargs)

    monkeypatch.setattr(daemon_module, "run_sync", flaky_sync)
    with caplog.at_level(logging.INFO, logger="sheetcrm"):
        daemon.run_forever()
    assert calls == [msk(28, 10, 0), msk(28, 10, 20), msk(28, 11, 0), msk(28, 11, 10)]
    messages = [r.getMessage() for r in caplog.records]
    said = "sync failed: crm.xlsx: cannot read it (Permission denied); nothing was written"
    assert f"{said}; next try in 20 min" in messages  # one sentence: no ".;"
    assert f"{said}; next try in 40 min" in messages
    assert "sync works again after 2 failed run(s)" in messages
    assert dt.datetime.fromisoformat((tmp_path / "hb").read_text().strip()) == msk(28, 11, 10)


def test_a_bad_config_edit_is_one_failed_run(tmp_path, monkeypatch, caplog):
    daemon, clock, cfg_path = daemon_for(
        tmp_path, monkeypatch, msk(28, 10, 0), msk(28, 10, 45), sync_every_minutes=10
    )
    good = cfg_path.read_text()

    def edit(now):
        if now == msk(28, 10, 5):
            cfg_path.write_text(good + "langauge: en\n")
        if now == msk(28, 10, 25):
            cfg_path.write_text(good)

    clock.on_sleep.append(edit)
    with caplog.at_level(logging.INFO, logger="sheetcrm"):
        daemon.run_forever()
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and all("langauge: unknown key; did you mean 'language'?" in e for e in errors)
    assert dt.datetime.fromisoformat((tmp_path / "hb").read_text().strip()) >= msk(28, 10, 30)


def test_sigterm_finishes_the_current_step_then_stops(tmp_path, monkeypatch, caplog):
    import sheetcrm.daemon as daemon_module

    daemon, clock, _ = daemon_for(tmp_path, monkeypatch, msk(28, 10, 0), None)
    real_sync = daemon_module.run_sync
    steps = []

    def sync_interrupted(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of the step
        result = real_sync(*args, **kwargs)
        steps.append("finished")
        return result

    monkeypatch.setattr(daemon_module, "run_sync", sync_interrupted)
    before = signal.getsignal(signal.SIGTERM)
    with caplog.at_level(logging.INFO, logger="sheetcrm"):
        daemon.run_forever()  # returns: the loop ended by itself
    assert steps == ["finished"] and (tmp_path / "hb").exists()
    messages = [r.getMessage() for r in caplog.records]
    assert "SIGTERM: finishing the current step, then exiting" in messages
    assert messages[-1] == "stopped"
    assert signal.getsignal(signal.SIGTERM) is before


def test_run_once_sends_when_due_and_not_again(tmp_path, monkeypatch):
    daemon, clock, _ = daemon_for(tmp_path, monkeypatch, msk(27, 9, 0), None)
    assert daemon.run_once()
    assert (tmp_path / "out" / "2026-11-27" / "Olga.txt").exists()
    (tmp_path / "out" / "2026-11-27" / "Olga.txt").unlink()
    assert daemon.run_once()  # the same day: synced, nothing sent again
    assert not (tmp_path / "out" / "2026-11-27" / "Olga.txt").exists()
    clock.now = msk(30, 9, 0)  # Monday, and someone has the workbook open in Excel
    (tmp_path / "~$crm.xlsx").write_text("lock")
    assert not daemon.run_once()  # the sync fails ...
    assert (tmp_path / "out" / "2026-11-30" / "Olga.txt").exists()  # ... the lists still go
    (tmp_path / "~$crm.xlsx").unlink()
    clock.now = msk(28, 9, 0)  # Saturday: a sync, no lists
    assert daemon.run_once()
    assert not (tmp_path / "out" / "2026-11-28").exists()
    assert dt.datetime.fromisoformat((tmp_path / "hb").read_text().strip()) == msk(28, 9, 0)


@pytest.mark.parametrize(
    "days_off",
    [{"holidays": ["2026-11-27"]}, {"handover": {"holidays": ["27.11.2026"]}}],
    ids=["holidays", "handover.holidays"],
)
def test_no_lists_on_a_holiday_but_the_sync_goes_on(tmp_path, monkeypatch, days_off):
    daemon, clock, _ = daemon_for(tmp_path, monkeypatch, msk(27, 9, 0), None, sections=days_off)
    assert daemon.run_once()  # Friday 27.11, a day off: synced, no lists
    assert dt.datetime.fromisoformat((tmp_path / "hb").read_text().strip()) == msk(27, 9, 0)
    assert not (tmp_path / "out").exists()
    clock.now = msk(30, 9, 0)  # Monday: the lists go out again
    assert daemon.run_once()
    assert (tmp_path / "out" / "2026-11-30" / "Olga.txt").exists()


def test_cli_run_once(tmp_path):
    book = make_book(tmp_path)
    log = tmp_path / "logs" / "run.log"
    cfg = write_config(
        tmp_path,
        notify={"via": "dir", "outbox": "out"},
        schedule={"working_days": [], "heartbeat_file": "hb", "log_file": str(log)},
    )
    result = CliRunner().invoke(cli, ["--config", str(cfg), "run", str(book), "--once"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "hb").exists() and not (
        tmp_path / "out"
    ).exists()  # no working days: no lists
    from openpyxl import load_workbook

    assert "Today" in load_workbook(book).sheetnames  # synced like `sheetcrm sync`
    line = log.read_text(encoding="utf-8").splitlines()[0]
    assert line.endswith(
        "INFO crm.xlsx: synced; did add column(s): Flags; did update the flags of 5 row(s); "
        "did rewrite tab(s): Today, Problems, Refusals."
    )
    dt.datetime.fromisoformat(line.split(" ")[0])  # starts with a timestamp
    missing = CliRunner().invoke(
        cli, ["--config", str(cfg), "run", str(tmp_path / "gone.xlsx"), "--once"]
    )
    assert missing.exit_code == 1
    assert "ERROR" in log.read_text(encoding="utf-8").splitlines()[-1]
    assert "gone.xlsx" in log.read_text(encoding="utf-8").splitlines()[-1]


def test_run_logs_the_sync_in_the_workbook_language(tmp_path):
    book = make_book(tmp_path)
    log = tmp_path / "run.log"
    cfg = write_config(tmp_path, language="ru", schedule={"working_days": [], "log_file": str(log)})
    for _ in range(2):  # the first run syncs, the second finds nothing to change
        result = CliRunner().invoke(cli, ["--config", str(cfg), "run", str(book), "--once"])
        assert result.exit_code == 0, result.output
    synced, up_to_date = log.read_text(encoding="utf-8").splitlines()
    assert synced.endswith(
        "INFO crm.xlsx: синхронизировано; добавлены столбцы: Отметки; "
        "обновлены отметки в строках: 5; перезаписаны вкладки: Сегодня, Проблемы, Отказы."
    )
    assert up_to_date.endswith("INFO crm.xlsx: всё актуально, менять нечего.")


def test_missing_mail_settings_stop_the_daemon_at_start(tmp_path):
    book = make_book(tmp_path)
    cfg = write_config(tmp_path, notify={"via": "email", "smtp": {"username": "crm"}})
    result = CliRunner().invoke(cli, ["--config", str(cfg), "run", str(book)])
    assert result.exit_code == 2
    assert "Error: notify.smtp.sender: set the From address" in result.output


def test_the_real_process_stops_cleanly_on_sigterm(tmp_path):
    book = make_book(tmp_path)
    cfg = write_config(tmp_path, schedule={"working_days": [], "heartbeat_file": "hb"})
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sheetcrm", "--config", str(cfg), "run", str(book)],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while (
            not (tmp_path / "hb").exists() and proc.poll() is None and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert (tmp_path / "hb").exists(), "no first sync"
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "SIGTERM: finishing the current step, then exiting" in err
    assert err.rstrip().endswith("INFO stopped")


def test_a_managers_tab_problem_skips_auto_assign_with_a_warning_and_the_run_goes_on(
    tmp_path, monkeypatch, caplog
):
    from conftest import EN_HEADERS, client_row, write_book

    lead = client_row(client="Lead", status="New", next_contact="30.11.2026")
    twins = [["Name", "Active"], ["Иванова О.", "yes"], ["Иванова_О", "yes"]]
    book = write_book(tmp_path / "crm.xlsx", {"Clients": [EN_HEADERS, lead], "Managers": twins})
    cfg_path = write_config(
        tmp_path,
        routing={"pool": ["Иванова_О"], "auto_assign": True},
        schedule={"working_days": [], "heartbeat_file": "hb"},
    )
    clock = Clock(msk(27, 9, 0), monkeypatch)
    daemon = Daemon(lambda: load_config(cfg_path, environ={}), str(book), clock=clock)
    with caplog.at_level(logging.INFO, logger="sheetcrm"):
        assert daemon.run_once()  # the cron job keeps working
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "rows 2 and 3" in warnings[0], warnings
    assert (tmp_path / "hb").exists()


def test_the_lists_go_out_as_soon_as_the_workbook_can_be_read_again(tmp_path, monkeypatch):
    import sheetcrm.daemon as daemon_module

    daemon, clock, _ = daemon_for(
        tmp_path, monkeypatch, msk(27, 8, 20), msk(27, 10, 30), sync_every_minutes=10
    )
    real_load = daemon_module.load
    syncs: list[dt.datetime] = []

    def locked_load(*args, **kwargs):
        if msk(27, 8, 25) <= clock.now < msk(27, 9, 5):
            raise SourceError("crm.xlsx: cannot read it (Permission denied)")
        syncs.append(clock.now)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(daemon_module, "load", locked_load)
    daemon.run_forever()
    resumed = min(t for t in syncs if t >= msk(27, 9, 5))
    at = dt.datetime.fromisoformat(sent_state(tmp_path)["2026-11-27"]["dir:Olga"]["at"])
    assert resumed <= at < resumed + dt.timedelta(minutes=1)


def test_sigterm_during_a_sync_starts_no_other_job(tmp_path, monkeypatch, caplog):
    import sheetcrm.daemon as daemon_module

    # started at 09:00, the lists already due: the first sync, then the lists, are both pending
    daemon, clock, _ = daemon_for(tmp_path, monkeypatch, msk(27, 9, 0), None)
    real_sync = daemon_module.run_sync
    syncs = []

    def sync_interrupted(*args, **kwargs):
        syncs.append(clock.now)
        if len(syncs) == 1:
            os.kill(os.getpid(), signal.SIGTERM)  # systemctl stop during the first sync
        return real_sync(*args, **kwargs)

    monkeypatch.setattr(daemon_module, "run_sync", sync_interrupted)
    with caplog.at_level(logging.INFO, logger="sheetcrm"):
        daemon.run_forever()
    assert len(syncs) == 1 and (tmp_path / "hb").exists()  # that sync finished ...
    assert not (tmp_path / "out").exists()  # ... and no lists were started after the signal
    assert not (tmp_path / ".sheetcrm-sent.json").exists()
    assert [r.getMessage() for r in caplog.records][-1] == "stopped"


def test_lists_sent_while_excel_holds_the_workbook_are_not_logged_as_failed(
    tmp_path, monkeypatch, caplog
):
    # the workbook stays open in Excel all week: every sync that has to write fails
    daemon, clock, _ = daemon_for(
        tmp_path, monkeypatch, msk(23, 8, 25), msk(24, 12, 0), sync_every_minutes=10
    )
    (tmp_path / "~$crm.xlsx").write_text("lock")
    with caplog.at_level(logging.INFO, logger="sheetcrm"):
        daemon.run_forever()
    assert sorted(sent_state(tmp_path)) == ["2026-11-23", "2026-11-24"]
    messages = [r.getMessage() for r in caplog.records]
    assert sum(m.endswith("the lists go out from the sheet as read") for m in messages) == 2
    assert sum(m == "notify: 4 sent." for m in messages) == 2
    assert not [m for m in messages if m.startswith("notify failed") or "notify works" in m]
    assert daemon.failures["notify"] == 0 and daemon.notify_job.interval == 1
    # cron at 14:00, Excel still open, the lists sent this morning: one line, no lists promised
    caplog.clear()
    clock.now = msk(24, 14, 0)
    with caplog.at_level(logging.INFO, logger="sheetcrm"):
        assert not daemon.run_once()
    [line] = [r.getMessage() for r in caplog.records]
    assert "is open in Excel" in line and "lists go out" not in line


@pytest.mark.parametrize("server_zone", ["Europe/Berlin", "UTC"])
def test_a_server_in_a_dst_zone_syncs_through_the_autumn_clock_change(
    tmp_path, monkeypatch, server_zone
):
    import sheetcrm.daemon as daemon_module

    berlin = ZoneInfo("Europe/Berlin")
    # clocks go back from 03:00 to 02:00 on Sunday 25.10.2026; the server's own zone matters,
    # schedule counting in its naive local time
    before = os.environ.get("TZ")
    os.environ["TZ"] = server_zone
    time.tzset()
    try:
        start = dt.datetime(2026, 10, 25, 0, 0, tzinfo=berlin).astimezone(dt.UTC)
        daemon, clock, _ = daemon_for(
            tmp_path,
            monkeypatch,
            start,
            start + dt.timedelta(hours=6),
            sections={"timezone": "Europe/Berlin"},
            sync_every_minutes=10,
            working_days=["sun"],
            notify_at="02:30",
        )
        real_sync = daemon_module.run_sync
        syncs: list[dt.datetime] = []

        def counted(*args, **kwargs):
            syncs.append(clock.now)
            return real_sync(*args, **kwargs)

        monkeypatch.setattr(daemon_module, "run_sync", counted)
        daemon.run_forever()
    finally:
        if before is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = before
        time.tzset()
    gaps = [b - a for a, b in zip(syncs, syncs[1:], strict=False)]
    assert max(gaps) <= dt.timedelta(minutes=11), [s.astimezone(berlin) for s in syncs]
    assert len(syncs) >= 6 * 6
    # the lists at the first 02:30 (summer time), not again at the second
    at = dt.datetime.fromisoformat(sent_state(tmp_path)["2026-10-25"]["dir:Olga"]["at"])
    assert at.astimezone(dt.UTC) == start + dt.timedelta(hours=2, minutes=30)
    assert at.utcoffset() == dt.timedelta(hours=2)


def test_a_clock_set_back_a_day_does_not_stop_the_syncs(tmp_path, monkeypatch):
    import sheetcrm.daemon as daemon_module

    daemon, clock, _ = daemon_for(
        tmp_path, monkeypatch, msk(27, 9, 0), msk(27, 12, 0), sync_every_minutes=10
    )
    real_sync = daemon_module.run_sync
    syncs: list[dt.datetime] = []

    def counted(*args, **kwargs):
        syncs.append(clock.now)
        return real_sync(*args, **kwargs)

    def corrected(now):  # the server's clock was a day ahead; NTP puts it right at 10:00
        if now >= msk(27, 10, 0) and now.day == 27:
            clock.now -= dt.timedelta(days=1)
            clock.stop_at = msk(26, 12, 0)

    monkeypatch.setattr(daemon_module, "run_sync", counted)
    clock.on_sleep.append(corrected)
    daemon.run_forever()
    after = [s for s in syncs if s.day == 26]
    assert after and after[0] <= msk(26, 10, 11) and len(after) >= 12


def test_the_log_file_is_reopened_after_logrotate_moves_it(tmp_path, monkeypatch):
    from sheetcrm.daemon import setup_logging

    log_file = tmp_path / "sheetcrm.log"
    daemon, clock, cfg_path = daemon_for(
        tmp_path, monkeypatch, msk(28, 10, 0), None, log_file=str(log_file)
    )
    setup_logging(load_config(cfg_path, environ={}))
    try:
        assert daemon.run_once()
        log_file.rename(tmp_path / "sheetcrm.log.1")  # logrotate's default: move, then create
        log_file.touch()
        clock.now = msk(28, 10, 10)
        assert daemon.run_once()
        (tmp_path / "sheetcrm.log.1").unlink()  # rotated out of existence
        log_file.unlink()  # and the new one deleted by hand
        clock.now = msk(28, 10, 20)
        assert daemon.run_once()
    finally:
        root = logging.getLogger("sheetcrm")
        for handler in [h for h in root.handlers if getattr(h, "sheetcrm", False)]:
            root.removeHandler(handler)
            handler.close()
    [line] = log_file.read_text(encoding="utf-8").splitlines()
    assert line.endswith("INFO crm.xlsx: up to date, nothing to change.")


def test_an_edit_of_the_timezone_takes_effect_without_a_restart(tmp_path, monkeypatch):
    import yaml

    kamchatka = ZoneInfo("Asia/Kamchatka")  # Moscow + 9 h: its 08:30 is 23:30 the day before
    daemon, clock, cfg_path = daemon_for(tmp_path, monkeypatch, msk(28, 12, 0), msk(30, 12, 0))
    data = yaml.safe_load(cfg_path.read_text())
    cfg_path.write_text(yaml.safe_dump({**data, "timezone": "Asia/Kamchatka"}))
    daemon.run_forever()
    days = sent_state(tmp_path)
    assert list(days) == ["2026-11-30"]  # Monday's list, none for Sunday
    at = dt.datetime.fromisoformat(days["2026-11-30"]["dir:Olga"]["at"])
    assert at.utcoffset() == dt.timedelta(hours=12)
    assert at.astimezone(kamchatka).replace(tzinfo=None) == dt.datetime(2026, 11, 30, 8, 30)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["2026-11-30"]


def test_a_mail_server_down_is_tried_again_with_the_logged_backoff(tmp_path, monkeypatch, caplog):
    import re

    from test_notify_email import free_port

    import sheetcrm.sending as sending_module

    book = make_book(tmp_path)
    smtp = {"host": "127.0.0.1", "port": free_port(), "security": "none", "sender": "crm@x.ru"}
    cfg_path = write_config(
        tmp_path, notify={"via": "email", "smtp": smtp}, schedule={"sync_every_minutes": 10}
    )
    clock = Clock(msk(27, 8, 25), monkeypatch)
    clock.stop_at = msk(27, 11, 30)
    daemon = Daemon(
        lambda: load_config(cfg_path, environ={}), str(book), clock=clock, sleep=clock.sleep
    )
    clock.daemon = daemon
    real_deliver = sending_module.deliver
    tries: list[dt.datetime] = []

    def counted(*args, **kwargs):
        tries.append(clock.now)
        return real_deliver(*args, **kwargs)  # nobody listens on the port

    monkeypatch.setattr(sending_module, "deliver", counted)
    with caplog.at_level(logging.INFO, logger="sheetcrm"):
        daemon.run_forever()  # the syncs every 10 minutes all go well
    waits = [
        int(re.search(r"next try in (\d+) min", r.getMessage())[1])
        for r in caplog.records
        if r.getMessage().startswith("notify failed: cannot reach the SMTP server")
    ]
    assert waits[:6] == [2, 4, 8, 16, 32, 60]
    assert [(b - a) // dt.timedelta(minutes=1) for a, b in zip(tries, tries[1:], strict=False)] == (
        waits[: len(tries) - 1]
    )
    assert tries[0] == msk(27, 8, 30) and len(tries) == 7  # not at every sync

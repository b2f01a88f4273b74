"""Loading a source once: the typed clients, the roster, and today's date."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime

from sheetcrm.backends import open_backend
from sheetcrm.backends.base import Backend, Snapshot, find_tab
from sheetcrm.config import Config
from sheetcrm.engine.findings import Finding
from sheetcrm.engine.flags import all_findings
from sheetcrm.errors import DataError
from sheetcrm.table import ClientTable, RawTable, Roster, parse_clients, parse_managers

OWNED_TABS = ("today", "refusals", "problems")
WRITTEN_TABS = (*OWNED_TABS, "log", "report")  # every tab sheetcrm writes to


def today_in(cfg: Config, now: datetime | None = None) -> date:
    """The date in the configured time zone."""
    return (now or datetime.now(cfg.zone())).astimezone(cfg.zone()).date()


@dataclass
class Workspace:
    cfg: Config
    backend: Backend
    snapshot: Snapshot
    table: ClientTable
    roster: Roster
    today: date

    def findings(
        self, extra: list[Finding] | None = None, owners: dict[str, int] | None = None
    ) -> list[Finding]:
        return all_findings(self.table, self.roster, self.cfg, self.today, extra, owners)

    def tab(self, key: str) -> RawTable | None:
        """An owned or extra tab as read (None when the workbook has none)."""
        return self.snapshot.tabs.get(find_tab(self.snapshot.tabs, self.cfg.tab(key)) or "")


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: building 100,000 rows of objects (none of
    them garbage) would otherwise set off full collections that walk them all, over
    a second on a big sheet. Collection resumes afterwards (the daemon runs for days)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _pick(snapshot_names: list[str], candidates: tuple[str, ...]) -> str | None:
    return next(filter(None, (find_tab(snapshot_names, n) for n in candidates)), None)


def _pick_spaced(backend: Backend, snapshot: Snapshot, candidates: tuple[str, ...]) -> str | None:
    """The tab named as a candidate, or else one whose name differs only by spaces around
    it ("Менеджеры "), read now: easy to type when renaming, invisible on the tab."""
    name = _pick(list(snapshot.tabs), candidates)
    if name is None:
        name = _spaced(snapshot.sheet_names, candidates)
        if name is not None:
            snapshot.tabs.update(backend.read([name]).tabs)
    return name


def _spaced(names: list[str], candidates: tuple[str, ...]) -> str | None:
    wanted = {c.strip().casefold() for c in candidates}
    return next((n for n in names if n.strip().casefold() in wanted), None)


def _as_renamed(cfg: Config, backend: Backend, snapshot: Snapshot, read: set[str]) -> Config:
    """`cfg` with each tab sheetcrm writes named as the sheet spells it where that differs
    by spaces around ("Сегодня "): still sheetcrm's tab, not one to add a second time.
    Of those tabs, the ones in `read` (keys) are read now."""
    found: dict[str, str] = {}
    for key in WRITTEN_TABS:
        if find_tab(snapshot.sheet_names, cfg.tab(key)) is None:
            if (name := _spaced(snapshot.sheet_names, (cfg.tab(key),))) is not None:
                found[key] = name
    if not found:
        return cfg
    if names := [name for key, name in found.items() if key in read]:
        snapshot.tabs.update(backend.read(names).tabs)
    return replace(cfg, tabs=replace(cfg.tabs, **found))


def load(
    cfg: Config,
    source: str | None = None,
    today: date | None = None,
    extra_tabs: tuple[str, ...] = (),
    backend: Backend | None = None,
    hold: Callable[[AbstractContextManager[None]], object] | None = None,
) -> Workspace:
    """Read the source once (clients, managers, the named tabs and, where the backend
    compares them as read, the owned tabs). A command that writes passes `hold` (an
    ExitStack's enter_context, say): the source's writing lock is taken before the read
    and kept until the command lets go of it."""
    with gc_paused():
        return _load(cfg, source, today, extra_tabs, backend, hold)


def _load(
    cfg: Config,
    source: str | None,
    today: date | None,
    extra_tabs: tuple[str, ...],
    backend: Backend | None,
    hold: Callable[[AbstractContextManager[None]], object] | None,
) -> Workspace:
    backend = backend or open_backend(source or cfg.source_location(), cfg)
    if hold is not None:
        hold(backend.writing())
    wanted = [*cfg.tab_candidates("clients"), *cfg.tab_candidates("managers")]
    owned = (*OWNED_TABS, "report") if cfg.keep_report_tab else OWNED_TABS
    read = {*(owned if backend.reads_owned_tabs else ()), *extra_tabs}
    wanted += [cfg.tab(key) for key in read]
    snapshot = backend.read(wanted)
    cfg = _as_renamed(cfg, backend, snapshot, read)
    clients_name = _pick_spaced(backend, snapshot, cfg.tab_candidates("clients"))
    if clients_name is None:
        # A workbook with a single tab is taken as the client list, whatever its name.
        if len(snapshot.sheet_names) == 1:
            clients_name = snapshot.sheet_names[0]
            snapshot.tabs.update(backend.read([clients_name]).tabs)
        else:
            names = ", ".join(repr(n) for n in snapshot.sheet_names) or "none"
            wanted = " or ".join(repr(n) for n in cfg.tab_candidates("clients"))
            raise DataError(
                f"{backend.label}: no clients tab named {wanted}; "
                f"tabs found: {names}. Rename the tab or set tabs.clients in config.yaml"
            )
    managers_name = _pick_spaced(backend, snapshot, cfg.tab_candidates("managers"))
    table = parse_clients(snapshot.tabs[clients_name], cfg, snapshot.date1904)
    roster = parse_managers(snapshot.tabs.get(managers_name) if managers_name else None)
    return Workspace(cfg, backend, snapshot, table, roster, today or today_in(cfg))

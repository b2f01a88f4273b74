"""Listings for `report` (terminal, md/json/csv/xlsx, the Report tab) and `history`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sheetcrm.config import Config
from sheetcrm.engine.agenda import manager_name
from sheetcrm.engine.events import Event
from sheetcrm.engine.report import Figures, Period, Report, build_report
from sheetcrm.errors import SourceError
from sheetcrm.i18n import t
from sheetcrm.listings import Listing
from sheetcrm.schema import STATUSES
from sheetcrm.values import dmy
from sheetcrm.workspace import Workspace

if TYPE_CHECKING:
    from sheetcrm.history import ClientStory

COLUMNS = (
    ("group", "col_group"),
    ("clients", "col_clients"),
    ("open", "col_open"),
    ("new", "col_new_clients"),
    ("due", "col_due_period"),
    ("overdue", "col_overdue_now"),
    ("won", "col_won"),
    ("won_amount", "col_won_amount"),
    ("refused", "col_refused"),
    ("conversion", "col_conversion"),
    ("avg_days_overdue", "col_avg_overdue"),
)


def workspace_report(ws: Workspace, period: Period, by: str, events: list[Event]) -> Report:
    managers = {c.row: manager_name(c, ws.roster) for c in ws.table.clients}
    return build_report(ws.table, period, ws.today, events, by, ws.cfg.overdue_grace_days, managers)


def _row(label: str, f: Figures) -> list[Any]:
    # None, not "": null in json, a blank cell everywhere else
    conversion = round(f.conversion, 4) if f.conversion is not None else None
    average = round(f.avg_overdue_days, 1) if f.avg_overdue_days is not None else None
    return [
        label,
        f.clients,
        f.open,
        f.new,
        f.due,
        f.overdue,
        f.won,
        f.won_amount,
        f.refused,
        conversion,
        average,
    ]


def report_listing(report: Report, cfg: Config) -> Listing:
    lang = cfg.language
    keys, labels = [k for k, _ in COLUMNS], [t(lang, label) for _, label in COLUMNS]
    labels[0] = t(lang, f"col_{report.by}")
    blank = t(lang, "nobody") if report.by == "manager" else t(lang, "none_value")
    rows = [_row(g.group or blank, g) for g in report.groups]
    rows.append(_row(t(lang, "total"), report.total))
    p = report.period
    title = t(
        lang,
        "report_title",
        since=dmy(p.since),
        until=dmy(p.until),
        by=t(lang, f"by_{report.by}"),
    )
    listing = Listing(keys, labels, rows, title=title, percent=frozenset({"conversion"}))
    if report.by_current_status and report.closing_header:  # the column is there, blank
        listing.notes.append(t(lang, "note_by_status_blank", column=report.closing_header))
    elif report.by_current_status:
        listing.notes.append(t(lang, "note_by_status"))
    if blank := report.undated - report.unreadable:
        listing.notes.append(t(lang, "note_undated", n=blank))
    if report.unreadable:
        column = report.closing_header
        listing.notes.append(t(lang, "note_undated_bad", n=report.unreadable, column=column))
    return listing


def month_of(day: date) -> Period:
    return Period.month(day.year, day.month)


def report_tab(ws: Workspace, events: list[Event]) -> list[list[Any]]:
    """The Report tab: this month by manager, the title above and the notes below."""
    listing = report_listing(workspace_report(ws, month_of(ws.today), "manager", events), ws.cfg)
    return [[listing.title], *listing.sheet_rows(), *([note] for note in listing.notes)]


def write_xlsx(listing: Listing, path: Path, sheet_name: str = "Report") -> None:
    """A workbook with the report on one sheet: title, header, rows, notes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    sheet = wb.active
    sheet.title = sheet_name
    sheet.append([listing.title])
    sheet["A1"].font = Font(bold=True)
    sheet.append(listing.labels)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in listing.rows:
        sheet.append(row)
    column = listing.keys.index("conversion") + 1
    for (cell,) in sheet.iter_rows(min_row=3, min_col=column, max_col=column):
        cell.number_format = "0.0%"
    for cell in sheet[len(listing.rows) + 2]:
        cell.font = Font(bold=True)  # the totals line
    for note in listing.notes:
        sheet.append([note])
    sheet.freeze_panes = "B3"
    sheet.column_dimensions["A"].width = max(12, *(len(str(r[0])) + 2 for r in listing.rows))
    try:
        wb.save(path)
    except OSError as exc:
        raise SourceError(f"{path}: cannot write the report ({exc.strerror})") from None


def _shown(value: str, kind: str, cfg: Config) -> Any:
    if kind in ("status", "added", "removed") and value in STATUSES:
        return cfg.status_label(value)
    if kind == "postponed" and value:
        return date.fromisoformat(value)
    return value


def history_listing(stories: list[ClientStory], cfg: Config) -> Listing:
    """One row per event, oldest first, for each matching client."""
    lang = cfg.language
    spec = (
        ("date", "col_date"),
        ("id", "col_id"),
        ("client", "col_client"),
        ("event", "col_event"),
        ("old", "col_old"),
        ("new", "col_new"),
        ("by", "col_by"),
    )
    listing = Listing([k for k, _ in spec], [t(lang, label) for _, label in spec])
    for s in stories:
        for e in s.events:
            by = (
                ""
                if e.kind != "manager"
                else t(lang, "by_sheetcrm" if e.by_sheetcrm else "by_hand")
            )
            listing.rows.append(
                [
                    e.day,
                    e.client_id,
                    e.client,
                    t(lang, f"ev_{e.kind}"),
                    _shown(e.old, e.kind, cfg),
                    _shown(e.new, e.kind, cfg),
                    by,
                ]
            )
        if s.current is not None:
            k = s.current
            due = f"{date.fromisoformat(k.next_contact):%d.%m.%Y}" if k.next_contact else "-"
            listing.notes.append(
                t(
                    lang,
                    "history_now",
                    id=s.client_id,
                    client=k.client,
                    manager=k.manager or "-",
                    status=_shown(k.status, "status", cfg) or "-",
                    due=due,
                )
            )
    return listing

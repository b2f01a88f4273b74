"""Engine results as listings: the rows a command prints and an owned tab holds.

One definition serves the terminal, --format md/json/csv and the sheet's
own tabs, so what `today` prints is what the Today tab shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sheetcrm.config import Config
from sheetcrm.engine.agenda import Card
from sheetcrm.engine.findings import Finding
from sheetcrm.engine.refusals import RefusalSummary
from sheetcrm.i18n import MESSAGES, t
from sheetcrm.values import Percent


@dataclass
class Listing:
    keys: list[str]  # machine names (json keys, csv header)
    labels: list[str]  # headers in the configured language
    rows: list[list[Any]] = field(default_factory=list)
    title: str = ""
    notes: list[str] = field(default_factory=list)  # printed under a text listing
    percent: frozenset[str] = frozenset()  # keys whose 0..1 values print as percentages

    def as_dicts(self) -> list[dict[str, Any]]:
        return [dict(zip(self.keys, row, strict=False)) for row in self.rows]

    def sheet_rows(self) -> list[list[Any]]:
        """The tab's content: header then rows, shares as percentages."""
        shares = [i for i, k in enumerate(self.keys) if k in self.percent]
        rows = [list(r) for r in self.rows]
        for row in rows:
            for i in shares:
                if i < len(row) and type(row[i]) in (int, float):
                    row[i] = Percent(row[i])
        return [list(self.labels), *rows]


def _columns(lang: str, *spec: tuple[str, str]) -> tuple[list[str], list[str]]:
    return [k for k, _ in spec], [t(lang, label) for _, label in spec]


def check_listing(found: list[Finding], cfg: Config) -> Listing:
    lang = cfg.language
    keys, labels = _columns(
        lang,
        ("row", "col_row"),
        ("column", "col_column"),
        ("severity", "col_severity"),
        ("problem", "col_wrong"),
        ("expected", "col_right"),
        ("client", "col_client"),
    )
    rows = [
        [f.row, f.column, t(lang, f.severity), f.message, f.hint, f.client]
        for f in found
        if f.for_check
    ]
    return Listing(keys, labels, rows)


def problems_listing(found: list[Finding], cfg: Config) -> Listing:
    lang = cfg.language
    keys, labels = _columns(
        lang,
        ("row", "col_row"),
        ("client", "col_client"),
        ("manager", "col_manager"),
        ("problem", "col_problem"),
        ("column", "col_column"),
        ("expected", "col_right"),
        ("code", "col_code"),
        ("id", "col_id"),
    )
    rows = [
        [f.row, f.client, f.manager, f.label, f.column, f.hint, f.code, f.client_id]
        for f in found
        if f.for_problems
    ]
    return Listing(keys, labels, rows)


def today_listing(decks: dict[str, list[Card]], cfg: Config) -> Listing:
    lang = cfg.language
    keys, labels = _columns(
        lang,
        ("manager", "col_manager"),
        ("position", "col_pos"),
        ("client", "col_client"),
        ("phone", "col_phone"),
        ("status", "col_status"),
        ("due", "col_due"),
        ("days_overdue", "col_overdue"),
        ("promised", "col_promised"),
        ("id", "col_id"),
        ("row", "col_row"),
    )
    rows = []
    for manager, cards in decks.items():
        for card in cards:
            c = card.client
            status = cfg.status_label(c.status) if c.status else c.status_text
            rows.append(
                [
                    manager or t(lang, "nobody"),
                    card.position,
                    c.client,
                    c.phone,
                    status,
                    card.due,
                    card.days_overdue,
                    c.comment,
                    c.id,
                    c.row,
                ]
            )
    return Listing(keys, labels, rows)


def _rounded_shares(summary: RefusalSummary, places: int = 4) -> list[float]:
    """Each row's share rounded so that a group's shares still add up to exactly 1:
    the units rounding drops go to the rows that lost the most (largest remainder)."""
    unit = 10**places
    totals: dict[str, int] = {}
    for r in summary.rows:
        totals[r.group] = totals.get(r.group, 0) + r.count
    parts = [divmod(r.count * unit, totals[r.group]) for r in summary.rows]
    units = [whole for whole, _ in parts]
    for group in totals:
        rows = [i for i, r in enumerate(summary.rows) if r.group == group]
        short = unit - sum(units[i] for i in rows)
        for i in sorted(rows, key=lambda i: -parts[i][1])[:short]:
            units[i] += 1
    return [u / unit for u in units]


# What a refusal with a blank grouping cell is listed as: no manager is nobody, no source none.
_BLANK_GROUP = {"month": "no_date", "manager": "nobody"}


def refusals_listing(summary: RefusalSummary, cfg: Config, by: str | None = None) -> Listing:
    lang = cfg.language
    spec = [("reason", "col_reason"), ("count", "col_count"), ("share", "col_share")]
    if by:
        spec.insert(0, ("group", "col_group"))
    keys, labels = _columns(lang, *spec)
    if by:
        labels[0] = t(lang, f"col_{by}") if f"col_{by}" in MESSAGES else by
    rows = []
    shares = _rounded_shares(summary)
    for r, share in zip(summary.rows, shares, strict=True):
        reason = r.reason or t(lang, "no_reason")
        row = [reason, r.count, share]
        if by:
            row.insert(0, r.group or t(lang, _BLANK_GROUP.get(by, "none_value")))
        rows.append(row)
    listing = Listing(keys, labels, rows, percent=frozenset({"share"}))
    if summary.undated:
        listing.notes.append(t(lang, "note_undated_refusals", n=summary.undated))
    return listing


def plain(value: Any) -> Any:
    """A cell value for json/csv: dates as ISO text."""
    if isinstance(value, date):
        return value.isoformat()
    return value

"""Rows -> findings about the cells themselves (what `check` reports)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

from sheetcrm.config import Config
from sheetcrm.engine.closing import closing_column
from sheetcrm.engine.findings import Finding
from sheetcrm.engine.routing import rule_field
from sheetcrm.i18n import t
from sheetcrm.refs import col_letter, join_ref
from sheetcrm.schema import (
    CLIENT_FIELDS,
    MANAGER_FIELDS,
    STATUSES,
    Field,
    fold,
    header_names,
    is_leaving,
)
from sheetcrm.table import Client, ClientTable, Roster
from sheetcrm.values import CellError, quoted

_PARSE_CODES = {
    "next_contact": ("bad_date", "hint_date"),
    "last_contact": ("bad_date", "hint_date"),
    "created": ("bad_date", "hint_date"),
    "amount": ("bad_number", "hint_number"),
    "phone": ("bad_phone", "hint_phone"),
    "email": ("bad_email", "hint_email"),
}


def finding(
    table: ClientTable,
    cfg: Config,
    c: Client,
    code: str,
    field: str,
    message: str,
    hint: str,
    *,
    column: str = "",  # for a column that is no client field: the header as written
    **label_args: object,
) -> Finding:
    return Finding(
        code=code,
        row=c.row,
        field=field,
        column=column or table.header(field, cfg.language),
        label=t(cfg.language, code, **label_args),
        message=message,
        hint=hint,
        client_id=c.id,
        client=c.client,
        manager=c.manager,
        days=label_args.get("days"),  # type: ignore[arg-type]
    )


def validate(
    table: ClientTable, cfg: Config, owners: dict[str, int] | None = None
) -> list[Finding]:
    """The problems in the cells; an ID on several rows is reported on each but the one
    `owners` names as its client's (the history knows), else on each but the first."""
    lang = cfg.language
    labels = ", ".join(cfg.status_label(s) for s in STATUSES)
    reasons = cfg.reasons()
    known_reasons = {fold(r) for r in reasons}
    out: list[Finding] = []
    ids: dict[str, list[Client]] = defaultdict(list)
    for c in table.clients:
        if c.id:
            ids[c.id.casefold()].append(c)  # c00007 is C00007 to whoever reads it
        if not c.client:
            out.append(
                finding(
                    table,
                    cfg,
                    c,
                    "missing_client",
                    "client",
                    t(lang, "missing_client"),
                    t(lang, "hint_client"),
                )
            )
        for name, error in c.errors.items():
            message = _message(error, lang)
            if name == "status":
                hint = t(lang, "hint_status", labels=labels)
                out.append(finding(table, cfg, c, "unknown_status", name, message, hint))
            else:
                code, hint_key = _PARSE_CODES[name]
                out.append(finding(table, cfg, c, code, name, message, t(lang, hint_key)))
        if not c.status_text and "status" in table.columns:
            out.append(
                finding(
                    table,
                    cfg,
                    c,
                    "empty_status",
                    "status",
                    t(lang, "empty_status"),
                    t(lang, "hint_empty_status", labels=labels),
                )
            )
        if c.refusal_reason and cfg.refusal_reasons and fold(c.refusal_reason) not in known_reasons:
            out.append(
                finding(
                    table,
                    cfg,
                    c,
                    "unknown_reason",
                    "refusal_reason",
                    f"{quoted(c.refusal_reason)}: {t(lang, 'unknown_reason')}",
                    t(lang, "hint_reason", reasons=", ".join(reasons)),
                )
            )
    for same in ids.values():
        owner = (owners or {}).get(same[0].id, same[0].row)
        for c in (c for c in same if c.row != owner):
            rows = ", ".join(str(o.row) for o in same if o is not c)
            out.append(
                finding(
                    table,
                    cfg,
                    c,
                    "duplicate_id",
                    "id",
                    f"{quoted(c.id)}: {t(lang, 'duplicate_id')}",
                    t(lang, "hint_duplicate_id", rows=rows),
                )
            )
    out += merged_over_clients(table, cfg)
    out += bad_closing_dates(table, cfg)
    return out


def _message(error: ValueError, lang: str) -> str:
    return error.in_language(lang) if isinstance(error, CellError) else str(error)


def bad_closing_dates(table: ClientTable, cfg: Config) -> list[Finding]:
    """A cell of the "closed on" column that is not a date: the report cannot date it."""
    closing = closing_column(table)
    if closing is None or not closing.errors:
        return []
    hint = t(cfg.language, "hint_date")
    return [
        finding(
            table,
            cfg,
            c,
            "bad_date",
            "closed",
            _message(closing.errors[c.row], cfg.language),
            hint,
            column=closing.header,
        )
        for c in table.clients
        if c.row in closing.errors
    ]


def merged_over_clients(table: ClientTable, cfg: Config) -> list[Finding]:
    """A finding on each client row below the first of a merge over a field's column:
    the value shows on that first row only."""
    lang, out = cfg.language, []
    if not table.merged:
        return out
    by_row = {c.row: c for c in table.clients}
    for r0, c0, r1, c1 in table.merged:
        name = next((f for f, i in table.columns.items() if c0 <= i <= c1), None)
        if name is None:
            continue
        ref = join_ref(c0, r0 + 1, c1, r1 + 1)
        message = t(lang, "merged_cells_message", ref=ref, row=r0 + 1)
        for c in (by_row[r] for r in range(r0 + 2, r1 + 2) if r in by_row):
            out.append(
                finding(table, cfg, c, "merged_cells", name, message, t(lang, "hint_merged"))
            )
    return out


def no_column(table: ClientTable, cfg: Config, name: str, so: str, what: str) -> str | None:
    """A clients tab without the column of a field every open client needs (or a report
    groups by): one message naming it, rather than a finding on every row about a column
    the sheet lacks."""
    if name in table.columns:
        return None
    if name in cfg.columns:
        names = repr(cfg.columns[name])
    else:
        f = next(f for f in CLIENT_FIELDS if f.name == name)
        names = f"{f.ru!r}, {f.en!r}, …"
    label = name.replace("_", " ")
    return (
        f"tab '{table.tab}' has no {label} column ({names}), so {so}: "
        f"rename the column of {what} or name it in config.yaml (columns: {name}: ...)"
    )


def missing_columns(table: ClientTable, cfg: Config) -> list[str]:
    """No next contact column: no client is ever due, and every open one reads as having
    no date. No manager column: nobody is responsible for any client. The team may keep
    either under another name."""
    found = [
        no_column(table, cfg, "next_contact", "no client is due", "dates"),
        no_column(table, cfg, "manager", "no client has a manager", "managers"),
    ]
    return [w for w in found if w]


def no_roster(table: ClientTable, roster: Roster, cfg: Config) -> list[str]:
    """Clients with managers but no Managers tab (renamed, deleted, never made): no manager
    is checked, so a leaver's clients are not flagged, and nothing else would say why."""
    if roster.known or not any(c.manager for c in table.clients):
        return []
    names = " or ".join(repr(n) for n in cfg.tab_candidates("managers"))
    return [
        f"no Managers tab ({names}), so no manager is checked (a manager who left, a name "
        "not on the team): name the tab so or set tabs.managers in config.yaml"
    ]


def twin_columns(
    tab: str,
    headers: list[str],
    columns: dict[str, int],
    fields: tuple[Field, ...],
    cfg: Config,
    overrides: dict[str, str] | None = None,
) -> list[str]:
    """A field two columns of a tab answer to: only the first is read, the other ignored."""
    out = []
    folded = [fold(h) for h in headers]
    for f in fields:
        used = columns.get(f.name)
        names = header_names(f, overrides)
        for i, h in enumerate(folded):
            if used is not None and i != used and h in names:
                out.append(
                    f"tab '{tab}': columns {col_letter(used)} ({headers[used]!r}) "
                    f"and {col_letter(i)} ({headers[i]!r}) are both "
                    f"{f.header(cfg.language)}; only {col_letter(used)} is read"
                )
    return out


def roster_warnings(roster: Roster, cfg: Config, today: date | None = None) -> list[str]:
    """What is amiss with the Managers tab as a whole: a field two columns answer to (chat
    ids or addresses typed in the second never reach anyone); an away or leaving date past."""
    out = twin_columns(roster.tab, roster.headers, roster.columns, MANAGER_FIELDS, cfg)
    return out + (away_past(roster, today, cfg.language) if today else [])


# "в отпуске до 20.11", "on leave until 20.11.2026", "отпуск 10.11-20.11": the day she is back
_BACK = re.compile(r"(?:до|по|until|till|[-–—])\s*(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?")
_DAY = re.compile(r"(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?")  # "уходит 20.11"


def _day(m: re.Match[str], today: date) -> date | None:
    """The day a match names; without a year, the one nearest `today`."""
    day, month, year = int(m[1]), int(m[2]), m[3]
    try:
        if year:
            return date(int(year) + (2000 if len(year) == 2 else 0), month, day)
        near = [date(today.year + k, month, day) for k in (-1, 0, 1)]
    except ValueError:
        return None
    return min(near, key=lambda d: abs(d - today))


def away_past(roster: Roster, today: date, lang: str = "en") -> list[str]:
    """Managers whose Active cell says they are away until, or leave on, a day now past:
    the one back is still given no clients, the one gone keeps hers, flagged for nobody."""
    out = []
    header = roster.headers[roster.columns["active"]] if "active" in roster.columns else ""
    for m in roster.managers:
        if not m.away:
            continue
        leaving = is_leaving(m.active_text)
        found = list((_DAY if leaving else _BACK).finditer(m.active_text.casefold()))
        day = _day(found[0 if leaving else -1], today) if found else None
        if day is None or day >= today:
            continue
        where = f"tab '{roster.tab}', row {m.row}, column '{header}': {m.active_text!r}"
        if leaving:
            out.append(
                f"{where}: {m.name} was to leave on {day:%d.%m.%Y}, which has passed, yet "
                "keeps their clients, none flagged as orphaned; once gone, write "
                f"{t(lang, 'no_word')!r} there and hand the clients over"
            )
        else:
            out.append(
                f"{where}: {m.name} was away until {day:%d.%m.%Y}, which has passed, yet "
                "is still given no clients; clear the cell if they are back, or write the "
                "new date"
            )
    return out


def twin_tabs(sheet_names: list[str], read: dict[str, str], cfg: Config) -> list[str]:
    """Two tabs that both answer to the clients or the Managers tab ("Clients" beside
    "Клиенты", an old copy kept): only one is read (`read`: key -> its name), the other
    silently not, whatever the team types there."""
    out = []
    for key, what in (("clients", "the clients tab"), ("managers", "the Managers tab")):
        wanted = {c.strip().casefold() for c in cfg.tab_candidates(key)}
        found = [n for n in sheet_names if n.strip().casefold() in wanted]
        if len(found) > 1 and read.get(key) in found:
            names = " and ".join(repr(n) for n in found)
            out.append(
                f"tabs {names} are both {what}; only {read[key]!r} is read: rename or delete "
                f"the other, or set tabs.{key} in config.yaml"
            )
    return out


def sheet_warnings(table: ClientTable, cfg: Config) -> list[str]:
    """What is amiss with the clients tab as a whole: no next contact or manager column, a
    field two columns answer to (only the first is read), a routing rule on a column the tab
    lacks (it never matches)."""
    out = missing_columns(table, cfg)
    out += twin_columns(table.tab, table.headers, table.columns, CLIENT_FIELDS, cfg, cfg.columns)
    folded = [fold(h) for h in table.headers]
    for n, rule in enumerate(cfg.routing.rules):
        for key in rule.when:
            field = rule_field(key, table.headers)
            missing = field not in table.columns if field else fold(key) not in folded
            if missing:
                out.append(
                    f"routing.rules[{n}].when: tab '{table.tab}' has no column {key!r}, "
                    "so the rule never matches"
                )
    return out

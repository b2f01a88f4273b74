"""The morning messages: each manager's own list and the head of sales' digest.

Building a message reads nothing and sends nothing: the lists come from the
same deck as `sheetcrm today` (engine.agenda + listings.today_listing), the
digest from the engine's agenda, flags and refusal summaries. Delivery is
sheetcrm.delivery's job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

import jinja2

from sheetcrm.config import Config
from sheetcrm.engine.agenda import Card, agenda, manager_name
from sheetcrm.engine.flags import flags
from sheetcrm.engine.refusals import summarize
from sheetcrm.errors import DataError
from sheetcrm.i18n import t
from sheetcrm.listings import today_listing
from sheetcrm.render import cell_text
from sheetcrm.table import ClientTable, Manager, Roster
from sheetcrm.values import CellError, normalize_email
from sheetcrm.workspace import Workspace

CHANNELS = ("email", "telegram", "dir")
ORPHANED = ("no_manager", "unknown_manager", "inactive_manager")
REFUSAL_DAYS = 7  # the digest's refusals: the last seven days, today included


@dataclass
class Message:
    key: str  # what the once-a-day state remembers: "email:Olga", "email:digest:boss@x"
    kind: str  # "list", "empty" or "digest"
    name: str  # the manager, or the digest's recipient
    address: str  # e-mail address, Telegram chat id, or "" for --via dir
    subject: str
    text: str
    html: str
    client_ids: list[str] = field(default_factory=list)


@dataclass
class Outbox:
    """What a notify run would send, and who cannot be reached."""

    day: date
    via: str
    messages: list[Message] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)  # one line each, for the report
    # a head of sales who left, a manager listed among leavers: one line each
    inactive: list[str] = field(default_factory=list)
    skipped_empty: list[str] = field(default_factory=list)


# -- templates ------------------------------------------------------------


@cache
def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("sheetcrm", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render_pair(name: str, lang: str, **context: Any) -> tuple[str, str]:
    """(text, html) from templates/<name>.<lang>.txt and .html."""
    env = _env()
    text = env.get_template(f"{name}.{lang}.txt").render(**context)
    html = env.get_template(f"{name}.{lang}.html").render(**context)
    return text, html


# -- a manager's list -----------------------------------------------------


def manager_message(
    cfg: Config, day: date, manager: str, cards: list[Card], source: str, key: str, address: str
) -> Message:
    """One manager's list, in deck order; `cards` are theirs alone."""
    lang = cfg.language
    listing = today_listing({manager: cards}, cfg)
    rows = [
        {k: cell_text(v) if k != "days_overdue" else v for k, v in r.items()}
        for r in listing.as_dicts()
    ]
    labels = listing.labels[1:-1]  # neither the manager (it is theirs) nor the sheet row
    overdue = sum(1 for c in cards if c.days_overdue)
    when = f"{day:%d.%m.%Y}"
    if cards:
        key_ = "subject_list" if overdue else "subject_list_on_time"
        subject = t(lang, key_, date=when, n=len(cards), late=overdue)
    else:
        subject = t(lang, "subject_empty", date=when)
    text, html = render_pair(
        "manager_list",
        lang,
        subject=subject,
        manager=manager,
        day=when,
        cards=rows,
        overdue=overdue,
        labels=labels,
        source=source,
    )
    kind = "list" if cards else "empty"
    ids = [c.client.id for c in cards]
    return Message(key, kind, manager, address, subject, text, html, ids)


# -- the digest -----------------------------------------------------------


@dataclass
class ManagerFigures:
    name: str
    note: str  # "" for an active manager; left / not on the roster / nobody
    open: int = 0
    due_today: int = 0
    overdue: int = 0
    oldest_days: int = 0
    oldest_client: str = ""
    rank: int = 0  # active managers first, then those who left or are unknown, then nobody


@dataclass
class Digest:
    day: date
    since: date
    managers: list[ManagerFigures]
    orphaned: list[dict[str, Any]]  # problem, count, rows (a few examples)
    orphaned_total: int
    refusals: list[dict[str, Any]]  # reason, count, share
    refusals_total: int

    @property
    def total(self) -> ManagerFigures:
        return ManagerFigures(
            "",
            "",
            sum(m.open for m in self.managers),
            sum(m.due_today for m in self.managers),
            sum(m.overdue for m in self.managers),
        )


def digest(table: ClientTable, roster: Roster, cfg: Config, today: date) -> Digest:
    """The head of sales' figures for `today`."""
    lang = cfg.language
    figures: dict[str, ManagerFigures] = {
        m.name: ManagerFigures(m.name, "") for m in roster.active()
    }

    def entry(name: str) -> ManagerFigures:
        if name not in figures:
            m = roster.find(name) if name else None
            if not name:
                figures[name] = ManagerFigures(t(lang, "nobody"), "", rank=2)
            elif m is None:
                figures[name] = ManagerFigures(
                    name, t(lang, "status_unknown") if roster.known else "", rank=1
                )
            else:
                figures[name] = ManagerFigures(m.name, t(lang, "status_left"), rank=1)
        return figures[name]

    for c in table.clients:
        if c.is_open:
            entry(manager_name(c, roster)).open += 1
    for name, cards in agenda(table, roster, today).items():
        f = entry(name)
        for card in cards:
            if card.days_overdue:
                f.overdue += 1
                if card.days_overdue > f.oldest_days:
                    f.oldest_days, f.oldest_client = card.days_overdue, card.client.client
            else:
                f.due_today += 1
    groups: dict[str, list[Any]] = {}
    for f in flags(table, roster, cfg, today):
        if f.code in ORPHANED:
            groups.setdefault(f.message, []).append(f)
    orphaned = [
        {"problem": problem, "count": len(found), "rows": _examples(found, lang)}
        for problem, found in sorted(groups.items(), key=lambda g: -len(g[1]))
    ]
    since = today - timedelta(days=REFUSAL_DAYS - 1)
    summary = summarize(table.clients, cfg.reasons(), since, today)
    refusals = [
        {
            "reason": r.reason or t(lang, "no_reason"),
            "count": r.count,
            "share": cell_text(r.share, percent=True),
        }
        for r in summary.rows
    ]
    ordered = sorted(figures.values(), key=lambda m: (m.rank, m.name.casefold()))
    total_orphaned = sum(g["count"] for g in orphaned)
    return Digest(today, since, ordered, orphaned, total_orphaned, refusals, summary.total)


def _examples(found: list[Any], lang: str, shown: int = 3) -> str:
    """ "row 8 Golf Group; row 9 Hotel Hub", or the first rows and how many more."""
    word = "строка" if lang == "ru" else "row"
    text = "; ".join(f"{word} {f.row} {f.client}" for f in found[:shown])
    more = len(found) - shown
    if more > 0:
        text += f" и ещё {more}" if lang == "ru" else f" and {more} more"
    return text


def digest_message(
    cfg: Config, d: Digest, source: str, key: str, name: str, address: str
) -> Message:
    total = d.total
    when = f"{d.day:%d.%m.%Y}"
    subject = t(
        cfg.language,
        "subject_digest",
        date=when,
        due=total.due_today,
        late=total.overdue,
        orphaned=d.orphaned_total,
    )
    text, html = render_pair(
        "digest",
        cfg.language,
        subject=subject,
        day=when,
        since=f"{d.since:%d.%m.%Y}",
        managers=d.managers,
        total=total,
        orphaned=d.orphaned,
        orphaned_total=d.orphaned_total,
        refusals=d.refusals,
        refusals_total=d.refusals_total,
        source=source,
    )
    return Message(key, "digest", name, address, subject, text, html)


# -- who gets what --------------------------------------------------------

_CHAT_ID = re.compile(r"^(-?\d+|@\w{4,})$")


def email_addresses(cell: str) -> str:
    """The addresses a cell holds as "a@x.ru, b@x.ru": separated by commas or semicolons,
    written as "Ольга <a@x.ru>" or mailto:a@x.ru. CellError for anything else ("нет")."""
    found = []
    for piece in re.split(r"[,;]", cell):
        if piece.strip():
            found.append(normalize_email(piece))
    return ", ".join(found)


def manager_address(m: Manager, via: str) -> str:
    if via == "email":
        return email_addresses(m.email)
    if via == "telegram":
        return m.telegram
    return m.name


def _where(m: Manager, via: str, roster: Roster, lang: str) -> str:
    column = t(lang, f"notify_{via}_column")
    return t(lang, "notify_where", name=m.name, column=column, tab=roster.tab, row=m.row)


def _unreachable(m: Manager, via: str, roster: Roster, lang: str) -> str:
    """Why the Managers tab gives `m` no address for `via`."""
    try:
        manager_address(m, via)
    except CellError:
        return _not_an_address(m, roster, lang)
    return _where(m, via, roster, lang)


def _not_an_address(m: Manager, roster: Roster, lang: str) -> str:
    column = roster.headers[roster.columns["email"]]
    return t(
        lang,
        "notify_bad_email",
        name=m.name,
        value=m.email,
        column=column,
        tab=roster.tab,
        row=m.row,
    )


def head_address(entry: str, roster: Roster, via: str) -> tuple[str, str]:
    """(name, address) of a head_of_sales entry: a roster name, or an address for the channel."""
    m = roster.find(entry)
    try:
        if m is not None:
            return m.name, manager_address(m, via)
        if via == "email":
            return entry, email_addresses(entry)
    except CellError:
        return entry, ""
    if via == "telegram":
        return entry, entry if _CHAT_ID.match(entry) else ""
    return entry, entry


def build(ws: Workspace, via: str) -> Outbox:
    """Every message for `ws.today` through `via`; nothing is sent."""
    cfg, roster, day = ws.cfg, ws.roster, ws.today
    if not roster.known:
        raise DataError(
            f"{ws.backend.label}: no Managers tab, so nobody to send lists to; add one with each "
            "manager's name, e-mail and Telegram chat id (see `sheetcrm init --example`)"
        )
    out = Outbox(day, via)
    source = ws.backend.label
    decks = agenda(ws.table, roster, day)
    for m in roster.active():
        if unclear := roster.unmarked_leaver(m):  # her clients' data may go to someone gone
            out.inactive.append(t(cfg.language, "notify_maybe_left", why=unclear))
            continue
        cards = decks.get(m.name, [])
        if not cards and cfg.notify.skip_empty:
            out.skipped_empty.append(m.name)
            continue
        try:
            address = manager_address(m, via)
        except CellError:
            out.no_address.append(_not_an_address(m, roster, cfg.language))
            continue
        if not address:
            out.no_address.append(_where(m, via, roster, cfg.language))
            continue
        out.messages.append(
            manager_message(cfg, day, m.name, cards, source, f"{via}:{m.name}", address)
        )
    if cfg.notify.head_of_sales:
        d = digest(ws.table, roster, cfg, day)
        for entry in cfg.notify.head_of_sales:
            m = roster.find(entry)
            if m is not None and not m.active:  # a leaver gets no more of the team's figures
                line = t(
                    cfg.language, "notify_head_inactive", name=m.name, tab=roster.tab, row=m.row
                )
                if line not in out.inactive:
                    out.inactive.append(line)
                continue
            name, address = head_address(entry, roster, via)
            if not address and m is not None:  # on the roster: say which cell lacks it
                why = _unreachable(m, via, roster, cfg.language)
                out.no_address.append(t(cfg.language, "notify_head_row", line=why))
                continue
            if not address:
                what = t(cfg.language, f"notify_{via}_what")
                out.no_address.append(
                    t(cfg.language, "notify_head_no_address", entry=entry, what=what)
                )
                continue
            key = f"{via}:digest:{address}"
            if any(msg.key == key for msg in out.messages):
                continue  # named twice (by name and by address, say): one digest is enough
            out.messages.append(digest_message(cfg, d, source, key, name, address))
    return out

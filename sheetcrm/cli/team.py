"""Team commands: handover, assign, who, duplicates, log, undo."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click

from sheetcrm.cli import cli
from sheetcrm.cli.common import (
    App,
    Day,
    as_date,
    date_option,
    format_option,
    pass_app,
    source_argument,
    user_name,
)
from sheetcrm.i18n import t

by_option = click.option(
    "--by", "by", default=None, help="Name written into the Log (default: your login)."
)
apply_option = click.option(
    "--apply", "do_apply", is_flag=True, help="Change the sheet (default: preview only)."
)


def _shift(source: str | None, value: str | None, name: str) -> tuple[str | None, str]:
    """SOURCE may be left out when config.yaml names it: one argument is then the other one."""
    if value is None:
        if source is None:
            raise click.UsageError(f"Missing argument '{name}'.")
        return None, source
    return source, value


def _echo_listing(listing: object, fmt: str) -> None:
    from sheetcrm.render import render

    render(listing, fmt)  # type: ignore[arg-type]


@cli.command(
    epilog="Example: sheetcrm handover crm.xlsx 'Сергей Волков' --to 'Ольга Петрова' --apply"
)
@source_argument
@click.argument("leaver", metavar="FROM", required=False)
@click.option(
    "--to", "to", multiple=True, help="A receiving manager (repeat; default: every active manager)."
)
@apply_option
@by_option
@date_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@pass_app
def handover(
    app: App,
    source: str | None,
    leaver: str | None,
    to: tuple[str, ...],
    do_apply: bool,
    by: str | None,
    day: datetime | None,
    fmt: str,
) -> None:
    """Hand all of FROM's open clients to other managers, fairly, and mark FROM inactive.

    Clients are dealt warmest to coldest so every receiver gets a like mix
    and a like final load. Each gets a next contact date within
    handover.working_days working days and a note in its comment; closed
    clients keep FROM. A receiver at their Limit (Managers tab) gets no
    more; when the receivers have no room for every client, --apply refuses.
    Prints the moves, the totals per receiver and each receiver's
    checklist. Preview only unless --apply.
    """
    from sheetcrm.listings import plain
    from sheetcrm.team import apply, astray_text, named, plan_handover, unwritten
    from sheetcrm.team_listings import checklist_listing, handover_listing, totals_listing

    source, leaver = _shift(source, leaver, "FROM")
    ws = app.load(source, as_date(day), extra_tabs=("log",), writes=do_apply)
    lang = ws.cfg.language
    result = plan_handover(ws, leaver, to, app.stamp(), by or user_name())
    moves = handover_listing(result.moves, result.source, ws.cfg)
    totals = totals_listing(result.totals, ws.cfg)
    lists = {
        name: checklist_listing(name, items, ws.today, ws.cfg)
        for name, items in result.checklists.items()
    }
    if fmt == "md":
        moves.title = t(lang, "ho_title", name=result.source)
        totals.title = t(lang, "ho_totals")
        for listing in lists.values():
            listing.title = t(lang, "ho_checklist", name=listing.title)
    if fmt != "json" and result.moves:
        for listing in (moves, totals, *lists.values()):
            _echo_listing(listing, fmt)
            click.echo()
    if do_apply:
        result.check_room()  # refuses, nothing written, when the limits leave clients behind
        result.check_formulas()  # and when it would write over the team's formulas
        result.check_astray()  # and when clients written otherwise may be the leaver's
    written = apply(ws, result.plan) if do_apply else False
    # the leaver's row on the Managers tab changed while writing: their Active cell was left
    missed = written and result.deactivation in ws.backend.not_written
    lost = unwritten(ws) if written else []  # rows deleted or moved beyond recognition meanwhile
    if fmt == "json":
        if missed:
            click.echo(t(lang, "ho_not_inactive", name=result.source), err=True)
        doc = {
            "from": result.source,
            "applied": written,
            "handed_over": len(result.moves) - len(lost) if written else 0,
            "not_written": [{"id": c.id, "client": c.client, "row": c.row} for c in lost],
            "deadline": result.deadline.isoformat(),
            "deactivated": result.deactivate and not missed,
            "left_over": len(result.left_over),
            "formulas": [
                {k: getattr(h, k) for k in ("id", "client", "row", "column", "formula")}
                for h in result.formulas
            ],
            "astray": [
                {"id": c.id, "client": c.client, "row": c.row, "manager": c.manager}
                for c in result.astray
            ],
            "moves": moves.as_dicts(),
            "totals": totals.as_dicts(),
            "checklists": {name: lst.as_dicts() for name, lst in lists.items()},
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=plain))
        return
    name, n = result.source, len(result.moves)
    if written:
        then = t(lang, "ho_done_inactive", name=name) if result.deactivate else ""
        then = "; " + t(lang, "ho_not_inactive", name=name) if missed else then
        click.echo(t(lang, "ho_done", n=n - len(lost), name=name, then=then))
        if lost:
            click.echo(t(lang, "ho_not_written", n=len(lost), clients=named(lost, lang)))
    elif not result.moves and not result.deactivate:
        click.echo(t(lang, "ho_none", name=name))  # already handed over: nothing to do
    else:
        key = "ho_will_deactivate" if result.deactivate else "ho_already_inactive"
        date = f"{result.deadline:%d.%m.%Y}"
        then = t(lang, key, name=name)
        placed = n - len(result.left_over)
        click.echo(t(lang, "ho_preview", n=placed, name=name, date=date, then=then))
        if result.left_over:
            click.echo(t(lang, "ho_no_room", left=len(result.left_over), n=n))
        if result.formulas:
            cells = "; ".join(f"{h.client}: {h.text}" for h in result.formulas)
            click.echo(t(lang, "ho_formulas", cells=cells))
    if result.astray:  # never after an apply, which refuses them
        clients = astray_text(result.astray)
        click.echo(t(lang, "ho_astray", n=len(result.astray), name=name, clients=clients))


@cli.command(epilog="Example: sheetcrm assign crm.xlsx --apply")
@source_argument
@apply_option
@by_option
@date_option
@format_option
@pass_app
def assign(
    app: App, source: str | None, do_apply: bool, by: str | None, day: datetime | None, fmt: str
) -> None:
    """Give a manager to open clients with none, or with one who left or is not on the roster.

    Routing rules in config.yaml decide (routing.rules, then routing.pool);
    among the matching active managers the one with the fewest open clients
    wins. Preview only unless --apply.
    """
    from sheetcrm.engine.routing import unknown_names
    from sheetcrm.team import apply, left_lines, named, plan_assign, unwritten
    from sheetcrm.team_listings import assign_listing

    ws = app.load(source, as_date(day), extra_tabs=("log",), writes=do_apply)
    lang = ws.cfg.language
    result = plan_assign(ws, app.stamp(), by or user_name())
    written = apply(ws, result.plan) if do_apply else False
    lost = unwritten(ws) if written else []  # rows deleted or moved beyond recognition meanwhile
    done = {a.client.row for a in result.assigned} - {c.row for c in lost}
    # text says what was written below the table; the other formats in a column of their own
    shown = done if written and fmt != "text" else None
    _echo_listing(assign_listing(result.assignments, ws.cfg, shown), fmt)
    for warning in unknown_names(ws.cfg.routing, ws.roster):
        click.echo(f"Warning: {warning}", err=True)
    if fmt != "text":
        return
    n, left = len(result.assigned), len(result.unassigned)
    lines = []
    if written:
        lines.append(t(lang, "as_done", n=n - len(lost)))
        if lost:
            lines.append(t(lang, "as_not_written", n=len(lost), clients=named(lost, lang)))
    elif n:
        lines.append(t(lang, "as_preview", n=n))
    elif not left:
        lines.append(t(lang, "as_nothing"))
    lines += left_lines(result.unassigned, lang)  # each reason with how many it holds back
    click.echo("\n".join(lines), err=True)


@cli.command(epilog="Example: sheetcrm who crm.xlsx '8 (912) 345-67-89'")
@source_argument
@click.argument("query", required=False)
@format_option
@pass_app
def who(app: App, source: str | None, query: str | None, fmt: str) -> None:
    """Whose client is this? QUERY is a phone in any form, an e-mail, or part of a name.

    Exit code 1 when nothing matches.
    """
    from sheetcrm.engine.lookup import lookup
    from sheetcrm.team_listings import who_listing

    source, query = _shift(source, query, "QUERY")
    ws = app.load(source)
    found = lookup(ws.table.clients, query, ws.cfg.phone_region)
    if not found:
        click.echo(t(ws.cfg.language, "who_none", query=query), err=True)
        sys.exit(1)
    _echo_listing(who_listing(found, ws.roster, ws.cfg), fmt)


@cli.command(epilog="Example: sheetcrm duplicates crm.xlsx --format csv")
@source_argument
@format_option
@pass_app
def duplicates(app: App, source: str | None, fmt: str) -> None:
    """Rows that are the same client: the same phone or e-mail once normalised."""
    from sheetcrm.engine.flags import duplicate_groups
    from sheetcrm.team_listings import duplicates_listing

    ws = app.load(source)
    groups = duplicate_groups(ws.table.clients)
    _echo_listing(duplicates_listing(groups, ws.cfg), fmt)
    if fmt == "text":
        click.echo(t(ws.cfg.language, "dup_count", n=len(groups)), err=True)


@cli.command("log", epilog="Example: sheetcrm log crm.xlsx --client C00042 --since 2026-11-01")
@source_argument
@click.option("--client", "client", help="Only this client: its ID, or part of its name.")
@click.option(
    "--since",
    type=Day(),
    help="Only changes on or after this date.",
)
@format_option
@pass_app
def log_command(
    app: App, source: str | None, client: str | None, since: datetime | None, fmt: str
) -> None:
    """Every cell sheetcrm changed in the team's data: when, what, old and new value, who."""
    from sheetcrm.changelog import filter_log, read_log
    from sheetcrm.team_listings import log_listing

    ws = app.load(source, extra_tabs=("log",))
    entries = filter_log(read_log(ws.tab("log")), client, as_date(since))
    _echo_listing(log_listing(entries, ws.cfg), fmt)
    if ws.tab("log") is None:
        click.echo(t(ws.cfg.language, "no_log_tab", tab=ws.cfg.tab("log")), err=True)
    elif fmt == "text":
        click.echo(t(ws.cfg.language, "log_count", n=len(entries)), err=True)


@cli.command(epilog="Example: sheetcrm undo crm.xlsx --apply")
@source_argument
@apply_option
@by_option
@format_option
@pass_app
def undo(app: App, source: str | None, do_apply: bool, by: str | None, fmt: str) -> None:
    """Revert the last handover or assign: the Log rows of its batch.

    A cell somebody edited since is reported and left alone. The undo is
    logged too. Preview only unless --apply.
    """
    from sheetcrm.team import apply, plan_undo
    from sheetcrm.team_listings import undo_listing

    ws = app.load(source, extra_tabs=("log",), writes=do_apply)
    lang = ws.cfg.language
    result = plan_undo(ws, app.stamp(), by or user_name())
    if not result.batch or result.already_undone:
        # json, csv and md stay readable: an empty listing, the reason on stderr
        if fmt != "text":
            _echo_listing(undo_listing(result, ws.cfg), fmt)
        key = "undo_already" if result.batch else "undo_nothing"
        if ws.tab("log") is None:
            key = "no_log_tab"
        click.echo(t(lang, key, label=result.label, tab=ws.cfg.tab("log")), err=fmt != "text")
        return
    written = apply(ws, result.plan) if do_apply else False
    lost = [ch for ch in result.reverted if ch in ws.backend.not_written] if written else []
    _echo_listing(undo_listing(result, ws.cfg, lost), fmt)
    if fmt != "text":
        return
    n, edited = len(result.reverted) - len(lost), sum(s.row is not None for s in result.skipped)
    msg = t(lang, "undo_done" if written else "undo_preview", n=n, label=result.label)
    if edited:
        msg += t(lang, "undo_skipped", n=edited)
    if missing := len(result.skipped) - edited:  # a client deleted, an ID on several rows
        msg += t(lang, "undo_skipped_other", n=missing)
    if lost:
        msg += t(lang, "undo_not_written", n=len(lost))
    click.echo(msg + ("." if written or not n else t(lang, "undo_write")))
    # the clients an assign is taken back from need a manager again: a cron sync routes them
    back = [ch for ch in result.reverted if ch.field == "manager" and ch not in lost]
    if back and ws.cfg.routing.auto_assign and result.batch[0].command == "assign":
        click.echo(t(lang, "undo_auto_assign", n=len(back)), err=True)

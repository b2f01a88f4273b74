"""Everyday commands: init, demo, check, today, next, problems, refusals, sync."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from sheetcrm.cli import cli
from sheetcrm.cli.common import (
    App,
    Day,
    as_date,
    date_option,
    ensure_ordered,
    format_option,
    pass_app,
    source_argument,
    user_name,
    warn_missing_columns,
)
from sheetcrm.errors import DataError
from sheetcrm.i18n import t
from sheetcrm.schema import fold

if TYPE_CHECKING:  # loading a workspace is each command's own import
    from sheetcrm.workspace import Workspace


@cli.command(epilog="Example: sheetcrm init crm.xlsx --lang ru --example")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--lang",
    type=click.Choice(["ru", "en"]),
    default=None,
    help="Header language (default: from config, else ru).",
)
@click.option("--example", is_flag=True, help="Add a few example clients and managers.")
@click.option("--force", is_flag=True, help="Overwrite an existing file (a copy is kept).")
@pass_app
def init(app: App, path: Path, lang: str | None, example: bool, force: bool) -> None:
    """Create a new workbook ready for a team: Clients and Managers tabs."""
    from sheetcrm.newbook import create_workbook

    kept = create_workbook(path, app.cfg, lang or app.cfg.language, example=example, force=force)
    click.echo(
        f"Created {path}. Fill in the Managers tab, then the clients; run `sheetcrm sync {path}`."
    )
    if kept:
        click.echo(f"The file it replaced is kept as {kept}.")


@cli.command(epilog="Example: sheetcrm demo demo-crm")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default="demo-crm")
@click.option(
    "--clients",
    "count",
    type=click.IntRange(20, 200000),
    default=300,
    show_default=True,
    help="How many clients.",
)
@click.option("--lang", type=click.Choice(["ru", "en"]), default="ru", show_default=True)
@date_option
@pass_app
def demo(app: App, directory: Path, count: int, lang: str, day: datetime | None) -> None:
    """Make a realistic sample workbook, sync it, and show what a head of sales sees first."""
    from sheetcrm.demo import run_demo

    run_demo(directory, count, lang, as_date(day) or app.now().date(), user_name(), sys.stdout)


@cli.command(epilog="Example: sheetcrm check crm.xlsx --format csv > problems.csv")
@source_argument
@date_option
@format_option
@pass_app
def check(app: App, source: str | None, day: datetime | None, fmt: str) -> None:
    """List every problem in the cells: row, column, what is wrong, what would be right.

    Exit code 0 when there are no errors, 1 when there are, 2 when the
    source cannot be read.
    """
    from sheetcrm.engine.routing import unknown_names
    from sheetcrm.engine.validate import no_roster, roster_warnings, sheet_warnings, twin_tabs
    from sheetcrm.history import known_owners
    from sheetcrm.listings import check_listing
    from sheetcrm.render import render

    ws = app.load(source, as_date(day))
    found = [f for f in ws.findings(owners=known_owners(ws)) if f.for_check]
    render(check_listing(found, ws.cfg), fmt)
    errors = sum(f.severity == "error" for f in found)
    roster = ws.roster.problems()  # the Managers tab: what handover and assign would stop on
    for problem in roster:
        click.echo(f"Error: {problem}", err=True)
    warnings = sheet_warnings(ws.table, ws.cfg) + no_roster(ws.table, ws.roster, ws.cfg)
    warnings += roster_warnings(ws.roster, ws.cfg, ws.today)
    read = {"clients": ws.table.tab, "managers": ws.roster.tab}
    warnings += twin_tabs(ws.snapshot.sheet_names, read, ws.cfg)
    for warning in warnings + unknown_names(ws.cfg.routing, ws.roster):
        click.echo(f"Warning: {warning}", err=True)
    if fmt == "text":
        counts = {"rows": len(ws.table.clients), "errors": errors, "warnings": len(found) - errors}
        click.echo(t(ws.cfg.language, "cli_check_summary", **counts), err=True)
    if errors or roster:
        sys.exit(1)


def _known_manager(ws: Workspace, name: str) -> str:
    roster = ws.roster
    m = roster.find(name)
    if m:
        return m.name
    # not on the roster: the sheet's spelling, matched like a header (case, spaces, ё/е)
    clients = ws.table.clients
    in_sheet: dict[str, str] = {}
    for c in clients:
        if c.manager:
            in_sheet.setdefault(fold(c.manager), c.manager)  # as first spelled, like `today`
    if fold(name) in in_sheet:
        return in_sheet[fold(name)]
    names = ", ".join(sorted({m.name for m in roster.managers} | set(in_sheet.values()))) or "none"
    raise DataError(f"no manager named {name!r}; managers: {names}")


@cli.command(epilog="Example: sheetcrm today crm.xlsx --manager 'Ольга Петрова'")
@source_argument
@click.option("--manager", help="Show only this manager's list.")
@date_option
@format_option
@pass_app
def today(
    app: App, source: str | None, manager: str | None, day: datetime | None, fmt: str
) -> None:
    """Each manager's list for the day, most urgent first: overdue, then due today."""
    from sheetcrm.engine.agenda import agenda
    from sheetcrm.listings import today_listing
    from sheetcrm.render import render

    ws = app.load(source, as_date(day))
    warn_missing_columns(ws)
    name = _known_manager(ws, manager) if manager else None
    decks = agenda(ws.table, ws.roster, ws.today, name)
    if fmt == "text" and not decks:
        when = f"{ws.today:%d.%m.%Y}"
        lang = ws.cfg.language
        if name:
            click.echo(t(lang, "cli_nothing_due_for", name=name, date=when))
        else:
            click.echo(t(lang, "cli_nothing_due", date=when))
        return
    render(today_listing(decks, ws.cfg), fmt)


@cli.command("next", epilog="Example: sheetcrm next crm.xlsx --manager 'Ольга Петрова'")
@source_argument
@click.option("--manager", required=True, help="Whose deck.")
@date_option
@format_option
@pass_app
def next_card(app: App, source: str | None, manager: str, day: datetime | None, fmt: str) -> None:
    """The top card of a manager's deck: the one client to call now."""
    from sheetcrm.engine.agenda import agenda
    from sheetcrm.listings import today_listing
    from sheetcrm.render import render

    ws = app.load(source, as_date(day))
    warn_missing_columns(ws)
    name = _known_manager(ws, manager)
    # the deck is keyed by the name as first spelled on a due row ("Иванова", "иванова")
    name, deck = next(iter(agenda(ws.table, ws.roster, ws.today, name).items()), (name, []))
    if not deck and fmt == "text":  # json, csv and md print an empty listing, as `today` does
        when = f"{ws.today:%d.%m.%Y}"
        click.echo(t(ws.cfg.language, "cli_nothing_due_for", name=name, date=when))
        return
    listing = today_listing({name: deck[:1]}, ws.cfg)
    if fmt != "text":
        render(listing, fmt)
        return
    for label, value in zip(listing.labels, listing.rows[0], strict=True):
        from sheetcrm.render import cell_text

        click.echo(f"{label}: {cell_text(value)}")
    click.echo(t(ws.cfg.language, "cli_more_cards", n=len(deck) - 1))


@cli.command(epilog="Example: sheetcrm problems crm.xlsx --format md")
@source_argument
@date_option
@format_option
@pass_app
def problems(app: App, source: str | None, day: datetime | None, fmt: str) -> None:
    """Overdue, orphaned and duplicate clients, refusals without a reason, stale clients.

    With a history of syncs, also managers changed by hand and next contacts
    postponed again and again.
    """
    from sheetcrm.engine.validate import away_past, no_roster
    from sheetcrm.history import pending_history
    from sheetcrm.listings import problems_listing
    from sheetcrm.render import render

    ws = app.load(source, as_date(day))
    warn_missing_columns(ws)
    # no orphan is found without a Managers tab, nor a leaver's while she is "leaving"
    away = away_past(ws.roster, ws.today, ws.cfg.language)
    for warning in no_roster(ws.table, ws.roster, ws.cfg) + away:
        click.echo(f"Warning: {warning}", err=True)
    pending = pending_history(ws)
    listing = problems_listing(ws.findings(pending.findings, pending.owners), ws.cfg)
    render(listing, fmt)
    if fmt == "text":
        lang, rows = ws.cfg.language, len(ws.table.clients)
        click.echo(t(lang, "cli_problems_summary", n=len(listing.rows), rows=rows), err=True)


@cli.command(epilog="Example: sheetcrm refusals crm.xlsx --since 2026-01-01 --by manager")
@source_argument
@click.option(
    "--since",
    type=Day(),
    help="Only refusals on or after this date.",
)
@click.option(
    "--until",
    type=Day(),
    help="Only refusals on or before this date.",
)
@click.option(
    "--by", type=click.Choice(["manager", "month", "source"]), help="Break the counts down."
)
@format_option
@pass_app
def refusals(
    app: App,
    source: str | None,
    since: datetime | None,
    until: datetime | None,
    by: str | None,
    fmt: str,
) -> None:
    """Why clients say no: count and share per refusal reason.

    A refusal's date is its last contact date (else its created date).
    """
    from sheetcrm.engine.agenda import manager_name
    from sheetcrm.engine.refusals import summarize
    from sheetcrm.listings import refusals_listing
    from sheetcrm.render import render

    ensure_ordered(since, until)
    ws = app.load(source)
    managers = {c.row: manager_name(c, ws.roster) for c in ws.table.clients}
    summary = summarize(
        ws.table.clients, ws.cfg.reasons(), as_date(since), as_date(until), by, managers
    )
    render(refusals_listing(summary, ws.cfg, by), fmt)
    if fmt == "text":
        click.echo(t(ws.cfg.language, "cli_refusals_summary", n=summary.total), err=True)


@cli.command(epilog="Example: sheetcrm sync crm.xlsx --dry-run")
@source_argument
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--by", "by", default=None, help="Name written into the Log (default: your login).")
@date_option
@pass_app
def sync(app: App, source: str | None, dry_run: bool, by: str | None, day: datetime | None) -> None:
    """Fill missing IDs, write the flags column and the Today, Refusals and Problems tabs.

    Also records what changed since the last sync in the history (beside
    config.yaml, else beside the workbook; not with --dry-run), and keeps a
    Report tab when keep_report_tab is set.
    """
    from sheetcrm.sync import describe
    from sheetcrm.sync import sync as run_sync

    ws = app.load(source, as_date(day), writes=not dry_run)
    warn_missing_columns(ws)
    result = run_sync(ws, app.stamp(), by or user_name(), dry_run=dry_run)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    click.echo(describe(result, ws.backend.label, dry_run, ws.cfg.language))

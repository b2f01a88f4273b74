"""Team commands: handover, assign, who, duplicates, log, undo."""

from __future__ import annotations

import json
import sys
from datetime import datetime

import click

from sheetcrm.cli import cli
from sheetcrm.cli.common import (
    App,
    as_date,
    date_option,
    format_option,
    pass_app,
    source_argument,
    user_name,
)

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
    clients keep FROM. Prints the moves, the totals per receiver and each
    receiver's checklist. Preview only unless --apply.
    """
    from sheetcrm.listings import plain
    from sheetcrm.team import apply, plan_handover
    from sheetcrm.team_listings import checklist_listing, handover_listing, totals_listing

    source, leaver = _shift(source, leaver, "FROM")
    ws = app.load(source, as_date(day))
    result = plan_handover(ws, leaver, to, app.stamp(), by or user_name())
    written = apply(ws, result.plan) if do_apply else False
    moves = handover_listing(result.moves, result.source, ws.cfg)
    totals = totals_listing(result.totals, ws.cfg)
    lists = [
        checklist_listing(name, items, ws.today, ws.cfg)
        for name, items in result.checklists.items()
    ]
    if fmt == "json":
        doc = {
            "from": result.source,
            "applied": written,
            "deadline": result.deadline.isoformat(),
            "deactivated": result.deactivate,
            "moves": moves.as_dicts(),
            "totals": totals.as_dicts(),
            "checklists": {lst.title.rsplit(":", 1)[0]: lst.as_dicts() for lst in lists},
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2, default=plain))
        return
    if fmt == "md":
        moves.title, totals.title = f"Handover from {result.source}", "Totals"
    for listing in (moves, totals):
        _echo_listing(listing, fmt)
        click.echo()
    for listing in lists:
        if fmt == "md":
            listing.title = f"Checklist for {listing.title}"
        _echo_listing(listing, fmt)
        click.echo()
    if not result.moves:
        click.echo(f"{result.source} has no open clients to hand over.")
    n, name = len(result.moves), result.source
    if written:
        done = f"; {name} marked inactive" if result.deactivate else ""
        click.echo(
            f"Handed {n} client(s) over from {name}{done}. "
            "Every change is in the Log tab; `sheetcrm undo` reverts it."
        )
    elif do_apply:
        click.echo("Nothing to change.")
    else:
        then = (
            f"{name} would be marked inactive"
            if result.deactivate
            else f"{name} is already inactive or not on the Managers tab"
        )
        click.echo(
            f"Preview: {n} client(s) would move from {name} (next contact by "
            f"{result.deadline:%d.%m.%Y}); {then}. Nothing written; run again with --apply."
        )


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
    from sheetcrm.team import apply, plan_assign
    from sheetcrm.team_listings import assign_listing

    ws = app.load(source, as_date(day))
    result = plan_assign(ws, app.stamp(), by or user_name())
    written = apply(ws, result.plan) if do_apply else False
    _echo_listing(assign_listing(result.assignments, ws.cfg), fmt)
    if fmt != "text":
        return
    n, left = len(result.assigned), len(result.unassigned)
    lines = []
    if written:
        lines.append(f"Assigned {n} client(s); every change is in the Log tab.")
    elif n:
        lines.append(
            f"Preview: {n} client(s) would be assigned. Nothing written; run again with --apply."
        )
    else:
        lines.append("Nothing to assign.")
    if left:
        lines.append(
            f"{left} client(s) left without a manager: no rule matches and no pool manager is free."
        )
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
        click.echo(f"No client matches {query!r}.", err=True)
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
        click.echo(f"{len(groups)} group(s) of duplicate rows.", err=True)


@cli.command("log", epilog="Example: sheetcrm log crm.xlsx --client C00042 --since 2026-11-01")
@source_argument
@click.option("--client", "client", help="Only this client: its ID, or part of its name.")
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d", "%d.%m.%Y"]),
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
    if fmt == "text":
        click.echo(f"{len(entries)} change(s).", err=True)


@cli.command(epilog="Example: sheetcrm undo crm.xlsx --apply")
@source_argument
@apply_option
@by_option
@format_option
@pass_app
def undo(app: App, source: str | None, do_apply: bool, by: str | None, fmt: str) -> None:
    """Revert the last handover or assign, from the Log.

    A cell somebody edited since is reported and left alone. The undo is
    logged too. Preview only unless --apply.
    """
    from sheetcrm.team import apply, plan_undo
    from sheetcrm.team_listings import undo_listing

    ws = app.load(source, extra_tabs=("log",))
    result = plan_undo(ws, app.stamp(), by or user_name())
    if not result.batch:
        click.echo("Nothing to undo: the Log holds no handover or assign.")
        return
    if result.already_undone:
        click.echo(f"The last change ({result.label}) is already undone; nothing to do.")
        return
    written = apply(ws, result.plan) if do_apply else False
    _echo_listing(undo_listing(result, ws.cfg), fmt)
    if fmt != "text":
        return
    n, skipped = len(result.reverted), len(result.skipped)
    verb = "Restored" if written else "Would restore"
    msg = f"{verb} {n} cell(s) of the {result.label}"
    if skipped:
        msg += f"; {skipped} cell(s) edited since are left alone"
    click.echo(msg + ("." if written or not n else ". Nothing written; run again with --apply."))

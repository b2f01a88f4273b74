"""Commands for the head of sales: report, history, chart (registered on import)."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    warn_missing_columns,
)
from sheetcrm.cli.team import _shift
from sheetcrm.errors import DataError, SourceError
from sheetcrm.i18n import t

if TYPE_CHECKING:  # loading a workspace is each command's own import
    from sheetcrm.workspace import Workspace


def _period(period: str | None, since: date | None, until: date | None, today: date) -> Any:
    from sheetcrm.engine.report import Period

    if period and (since or until):
        raise click.UsageError("give either --period or --since/--until, not both")
    if since or until:
        if since is None:
            raise click.UsageError("--until needs --since")
        if until is None and since > today:  # the period would end today, before it starts
            raise click.UsageError(
                f"--since {since:%d.%m.%Y} is after today ({today:%d.%m.%Y}), where the period "
                "ends without --until; give --until too"
            )
        until = until or today
        ensure_ordered(since, until)
        return Period(since, until)
    if not period:
        return Period.month(today.year, today.month)
    # year 0 does not exist (a crash before), and no sheet dates a client before 1900
    if (m := re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", period.strip())) and int(m[1]) >= 1900:
        if m[2] is None:
            return Period(date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))
        if 1 <= int(m[2]) <= 12:
            return Period.month(int(m[1]), int(m[2]))
    raise click.BadParameter(
        f"{period!r}: use a month such as 2026-11 or a year such as 2026", param_hint="--period"
    )


def _grouping_column(ws: Workspace, by: str) -> None:
    """A report by city, product or source of a sheet without that column would put every
    client under "(none)", as if no client had one."""
    from sheetcrm.engine.validate import no_column

    what = {"city": "cities", "product": "products", "source": "lead sources"}.get(by)
    if what and (
        missing := no_column(ws.table, ws.cfg, by, "the report has nothing to group by", what)
    ):
        raise DataError(missing)


def _not_the_workbook(out: Path, ws: Workspace, what: str) -> None:
    """Refuse an output file that is the workbook itself: it would replace every client."""
    source = getattr(ws.backend, "path", None)
    if source is not None and out.exists() and out.samefile(source):
        raise SourceError(
            f"{out} is the client workbook the {what} is made from: writing the {what} there "
            "would replace every client in it; give --out another file"
        )


@cli.command(epilog="Example: sheetcrm report crm.xlsx --period 2026-11 --by manager --format md")
@source_argument
@click.option("--period", help="A month (2026-11) or a year (2026). Default: the current month.")
@click.option("--since", type=Day(), help="Start of the period (instead of --period).")
@click.option("--until", type=Day(), help="End of the period, inclusive (default: today).")
@click.option(
    "--by",
    "by",
    type=click.Choice(["manager", "city", "product", "source"]),
    default="manager",
    show_default=True,
    help="One line per manager, city, product or lead source.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "md", "json", "csv", "xlsx"]),
    default="text",
    show_default=True,
    help="Output format; xlsx writes a workbook.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (xlsx default: report-PERIOD.xlsx).",
)
@date_option
@pass_app
def report(
    app: App,
    source: str | None,
    period: str | None,
    since: datetime | None,
    until: datetime | None,
    by: str,
    fmt: str,
    out: Path | None,
    day: datetime | None,
) -> None:
    """Per-manager (or city, product, source) results for a period, with a totals line.

    Clients, open, new in the period, contacts due in it, overdue now, won
    (count and amount), refused, conversion (won out of closed) and the
    average days a promise is overdue. Won and refused count in the period
    they closed: by a "Closed on" column if the sheet has one, else by the
    status changes the history between syncs recorded.
    """
    from sheetcrm.history import pending_history
    from sheetcrm.render import render
    from sheetcrm.report_listings import report_listing, workspace_report, write_xlsx

    ws = app.load(source, as_date(day))
    warn_missing_columns(ws)
    chosen = _period(period, as_date(since), as_date(until), ws.today)
    _grouping_column(ws, by)
    listing = report_listing(workspace_report(ws, chosen, by, pending_history(ws).events), ws.cfg)
    if fmt == "xlsx":
        path = out or Path(f"report-{chosen.name}.xlsx")
        _not_the_workbook(path, ws, "report")
        write_xlsx(listing, path, ws.cfg.tab("report"))
        click.echo(t(ws.cfg.language, "cli_wrote", path=path, title=listing.title))
        return
    if out is None:
        render(listing, fmt)
        return
    _not_the_workbook(out, ws, "report")
    # Excel reads a CSV file without a UTF-8 byte-order mark in the system's code page
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    try:
        with out.open("w", encoding=encoding, newline="") as f:
            render(listing, fmt, f)
    except OSError as exc:
        raise SourceError(f"{out}: cannot write the report ({exc.strerror})") from None
    click.echo(t(ws.cfg.language, "cli_wrote", path=out, title=listing.title))


@cli.command(epilog="Example: sheetcrm history crm.xlsx C00012")
@source_argument
@click.argument("query", metavar="CLIENT", required=False)
@format_option
@pass_app
def history(app: App, source: str | None, query: str | None, fmt: str) -> None:
    """One client's story between syncs: status changes, managers, postponed contacts.

    CLIENT is a client ID or part of a name. SOURCE picks the workbook's
    history when one config.yaml serves several (default: config's source,
    else every workbook's).
    """
    from sheetcrm.backends import open_backend
    from sheetcrm.errors import DataError
    from sheetcrm.history import stories
    from sheetcrm.render import render
    from sheetcrm.report_listings import history_listing

    source, query = _shift(source, query, "CLIENT")
    location = source or app.cfg_for(source).source_location()
    found = stories(app.cfg, query, open_backend(location, app.cfg) if location else None)
    if not found:
        raise DataError(f"no client with ID or name {query!r} in the history")
    render(history_listing(found, app.cfg), fmt)
    if fmt == "text":
        events = sum(len(s.events) for s in found)
        summary = t(app.cfg.language, "cli_history_summary", n=events, clients=len(found))
        click.echo(summary, err=True)


@cli.command(epilog="Example: sheetcrm chart refusals crm.xlsx --out refusals.png")
@click.argument("kind", type=click.Choice(["refusals", "funnel", "load"]))
@source_argument
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The PNG file to write (default: chart-KIND.png).",
)
@pass_app
def chart(app: App, kind: str, source: str | None, out: Path | None) -> None:
    """Draw a chart as a PNG: refusal reasons by month, the funnel per manager
    (clients by status), or the load (open clients per manager, with limits)."""
    from sheetcrm.charts import chart_data, draw

    ws = app.load(source)
    warn_missing_columns(ws)
    data = chart_data(kind, ws.table.clients, ws.roster, ws.cfg)
    path = out or Path(f"chart-{kind}.png")
    _not_the_workbook(path, ws, "chart")
    draw(data, path, ws.cfg.language)
    click.echo(t(ws.cfg.language, "cli_wrote", path=path, title=data.title))

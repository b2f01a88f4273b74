"""Commands: notify (the morning lists) and run (the scheduler daemon)."""

from __future__ import annotations

import sys
from datetime import datetime

import click

from sheetcrm.cli import cli
from sheetcrm.cli.common import App, as_date, date_option, pass_app, source_argument


@cli.command(
    epilog=(
        "Example: sheetcrm notify crm.xlsx --dry-run\n\n"
        "Example: SHEETCRM_SMTP_PASSWORD=... sheetcrm notify crm.xlsx --via email"
    )
)
@source_argument
@click.option(
    "--via",
    type=click.Choice(["email", "telegram", "dir"]),
    default=None,
    help="How to deliver (default: notify.via in config.yaml).",
)
@click.option("--dry-run", is_flag=True, help="Print what would be sent; send nothing.")
@click.option("--force", is_flag=True, help="Send again to those who already got today's message.")
@date_option
@pass_app
def notify(
    app: App, source: str | None, via: str | None, dry_run: bool, force: bool, day: datetime | None
) -> None:
    """Send each active manager their own list for the day and the head of sales a digest.

    One message per recipient per day: a second run the same day sends only
    what has not gone yet. Exit code 1 when any message failed.
    """
    from sheetcrm.errors import DeliveryError
    from sheetcrm.sending import describe, send_lists

    ws = app.load(source, as_date(day))
    report = send_lists(ws, via or app.cfg.notify.via, app.now(), force=force, dry_run=dry_run)
    lines = describe(report, ws.cfg.language)
    if report.batch.fatal:
        click.echo("\n".join(lines[:-2] + lines[-1:]))
        raise DeliveryError(lines[-2])
    click.echo("\n".join(lines))
    if not report.ok:
        sys.exit(1)


@cli.command(
    epilog=(
        "Example: sheetcrm run crm.xlsx\n\n"
        "Example (crontab): */10 * * * * sheetcrm --config /srv/crm/config.yaml run --once"
    )
)
@source_argument
@click.option("--once", is_flag=True, help="One sync, then the lists if they are due; for cron.")
@pass_app
def run(app: App, source: str | None, once: bool) -> None:
    """Keep the sheet in sync every few minutes and send the lists at the set time.

    Times are in the configured timezone; the lists go out on working days
    at schedule.notify_at. SIGINT or SIGTERM finish the current step, then exit.
    """
    import functools

    from sheetcrm.config import load_config
    from sheetcrm.daemon import Daemon, setup_logging

    setup_logging(app.cfg_for(source), app.verbose)
    # read config.yaml before every step: an edit takes effect without a restart
    reload = functools.partial(load_config, app.config_path, source=source)
    daemon = Daemon(reload, source, verbose=app.verbose)
    if once:
        sys.exit(0 if daemon.run_once() else 1)
    daemon.run_forever()

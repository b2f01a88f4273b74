"""Commands: auth (Google credentials)."""

from __future__ import annotations

import click

from sheetcrm.cli import cli
from sheetcrm.cli.common import App, pass_app, source_argument
from sheetcrm.errors import SourceError

EXAMPLE = "Example: sheetcrm auth check https://docs.google.com/spreadsheets/d/1AbC…/edit"


@cli.group(epilog=EXAMPLE)
def auth() -> None:
    """Google credentials: which service account sheetcrm uses and what it can open."""


@auth.command("check", epilog=EXAMPLE, short_help="Which account is used; can it open SOURCE?")
@source_argument
@pass_app
def auth_check(app: App, source: str | None) -> None:
    """Sign in with the service-account key and try to open SOURCE (a Google Sheet URL or key).

    Says which key file and service account are used; when the sheet is not
    shared with the account, says which e-mail address to share it with.
    """
    from sheetcrm.backends import google_key
    from sheetcrm.backends.google_check import check_access

    key = google_key(source) if source else None
    if source and key is None:
        raise SourceError(
            f"{source}: not a Google Sheet URL or key; auth check is for Google Sheets"
        )
    # config.yaml's source is checked too, when it is a sheet; a workbook there is no error:
    # the key is what is checked, often before the team moves to Google Sheets
    configured = "" if source else app.cfg.source_location()
    key = key or (google_key(configured) if configured else None)
    report = check_access(app.cfg, key)
    click.echo(f"Key file:        {report.key_file.path} (from {report.key_file.origin})")
    click.echo(f"Service account: {report.email}")
    click.echo("Sign-in:         ok")
    if key is None:
        given = f"config.yaml's source, {configured}, is no Google Sheet" if configured else ""
        click.echo(
            f"{given or 'No sheet given'}: pass a sheet's URL to check that the account can "
            "open it."
        )
        return
    click.echo(f"Sheet:           '{report.title}' ({report.key})")
    click.echo(f"Tabs:            {', '.join(report.tabs) or 'none'}")
    click.echo(
        f"The account can open the sheet. To write back (sync, --apply), {report.email} "
        "must be an Editor of it."
    )

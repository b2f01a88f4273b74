"""What every command shares: the config, loading the source, common options."""

from __future__ import annotations

import getpass
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import click

from sheetcrm.config import Config, load_config
from sheetcrm.values import dmy

if TYPE_CHECKING:  # loading a workspace is each command's own import
    from sheetcrm.workspace import Workspace


@dataclass
class App:
    config_path: str | None
    verbose: bool = False
    _cfg: Config | None = field(default=None, repr=False)

    @property
    def cfg(self) -> Config:
        return self.cfg_for(None)

    def cfg_for(self, source: str | None) -> Config:
        """The config, found beside the workbook SOURCE too when it names one."""
        if self._cfg is None:
            self._cfg = load_config(self.config_path, source=source)
        return self._cfg

    def load(
        self,
        source: str | None,
        day: date | None = None,
        extra_tabs: tuple[str, ...] = (),
        writes: bool = False,
    ) -> Any:
        """The source read; a command that `writes` keeps other sheetcrm writers of it
        waiting until the command ends."""
        from sheetcrm.workspace import load

        hold = click.get_current_context().with_resource if writes else None
        return load(self.cfg_for(source), source, day, extra_tabs, hold=hold)

    def now(self) -> datetime:
        return datetime.now(self.cfg.zone())

    def stamp(self) -> str:
        """The time written into the Log."""
        return self.now().strftime("%Y-%m-%d %H:%M:%S")


pass_app = click.make_pass_decorator(App)


def warn_missing_columns(ws: Workspace) -> None:
    """Say why nothing is due, or nobody has a client, when the clients tab has no next
    contact or no manager column."""
    from sheetcrm.engine.validate import missing_columns

    for warning in missing_columns(ws.table, ws.cfg):
        click.echo(f"Warning: {warning}", err=True)


def user_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "unknown"


def source_argument(f: Callable) -> Callable:
    return click.argument("source", required=False)(f)


class Day(click.DateTime):
    """YYYY-MM-DD or DD.MM.YYYY; a day that does not exist (31.02.2026) is called that."""

    def __init__(self) -> None:
        super().__init__(["%Y-%m-%d", "%d.%m.%Y"])

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d?-\d\d?|\d\d?\.\d\d?\.\d{4}", value):
            try:
                return super().convert(value, param, ctx)
            except click.BadParameter:
                self.fail(f"{value!r} is not a real date", param, ctx)
        return super().convert(value, param, ctx)


def ensure_ordered(since: date | datetime | None, until: date | datetime | None) -> None:
    if since and until and until < since:
        raise click.UsageError(f"--until {dmy(until)} is before --since {dmy(since)}")


def date_option(f: Callable) -> Callable:
    return click.option(
        "--date",
        "day",
        type=Day(),
        help="Act as if today were this date (YYYY-MM-DD or DD.MM.YYYY).",
    )(f)


def format_option(f: Callable) -> Callable:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["text", "md", "json", "csv"]),
        default="text",
        show_default=True,
        help="Output format.",
    )(f)


def as_date(value: datetime | None) -> date | None:
    return value.date() if value else None

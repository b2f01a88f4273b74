"""The `sheetcrm` command. Each command module registers its commands on `cli`.

Errors are turned into messages in one place (`SheetCrmGroup.invoke`):
a SheetCrmError becomes "Error: …" and its exit code; anything else is a
bug, reported in one line, with the traceback only under -v.
"""

from __future__ import annotations

import sys
import traceback

import click

from sheetcrm import __version__
from sheetcrm.cli.common import App
from sheetcrm.errors import SheetCrmError


class SheetCrmGroup(click.Group):
    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except SheetCrmError as exc:
            if ctx.find_object(App) and ctx.find_object(App).verbose:  # type: ignore[union-attr]
                traceback.print_exc()
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:
            # the reader (head, less) went away: not an error worth a message
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except Exception as exc:
            app = ctx.find_object(App)
            if app and app.verbose:
                traceback.print_exc()
            click.echo(
                f"Error: unexpected {type(exc).__name__}: {exc}. This is a bug in sheetcrm; "
                "run again with -v for the details and report them.",
                err=True,
            )
            sys.exit(3)


@click.group(cls=SheetCrmGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    help="config.yaml to use (default: $SHEETCRM_CONFIG, ./config.yaml, or the one "
    "beside the workbook).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks and more detail.")
@click.version_option(__version__, prog_name="sheetcrm")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, verbose: bool) -> None:
    """sheetcrm: a CRM for a sales team whose client base is a spreadsheet.

    SOURCE is an .xlsx workbook or a Google Sheet URL; it may be left out
    when config.yaml names it.
    """
    ctx.obj = App(config_path, verbose)


def _register() -> None:
    from sheetcrm.cli import (
        core,  # noqa: F401  (commands register on import)
        google,  # noqa: F401
        notify,  # noqa: F401
        report,  # noqa: F401
        team,  # noqa: F401
    )


def _shared_options(group: click.Group) -> None:
    """-v and --config are taken after the command too (`sheetcrm sync crm.xlsx -v`), as
    the bug message asks to "run again with -v" and users add it at the end."""

    def set_app(ctx: click.Context, param: click.Parameter, value: object) -> None:
        app = ctx.find_object(App)
        if app and value:
            setattr(app, param.name or "", value)

    for command in group.commands.values():
        command.params += [
            click.Option(
                ["--config", "config_path"],
                type=click.Path(dir_okay=False),
                expose_value=False,
                callback=set_app,
                help="config.yaml to use; may also come before the command.",
            ),
            click.Option(
                ["-v", "--verbose"],
                is_flag=True,
                expose_value=False,
                callback=set_app,
                help="Show tracebacks and more detail.",
            ),
        ]
        if isinstance(command, click.Group):
            _shared_options(command)


_register()
_shared_options(cli)


def main() -> None:
    """The console entry point: run one command, then end the process at once."""
    _printable_output()
    try:
        cli(prog_name="sheetcrm")
        code: object = 0
    except SystemExit as exc:  # click ends every command this way
        code = exc.code
    _exit_now(code)


def _printable_output() -> None:
    """Where the output's encoding cannot carry Russian text (LC_ALL=C with PYTHONUTF8=0,
    a pipe on an English Windows) it is written as UTF-8; where it can but not every
    character a client's name may hold (cp1251 and a ☕), those show as '?'. Either
    would otherwise end the command in UnicodeEncodeError, after a sync had written."""
    import codecs

    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "utf-8"
        if not hasattr(stream, "reconfigure") or codecs.lookup(encoding).name == "utf-8":
            continue
        try:
            "Ёё№–«»…".encode(encoding)
        except UnicodeEncodeError:
            stream.reconfigure(encoding="utf-8")
        else:
            stream.reconfigure(errors="replace")


def _exit_now(code: object) -> None:
    """End the process without tearing the interpreter down object by object: after
    a sync of 100,000 clients that alone takes a third of a second, and the memory
    goes back to the system whole anyway. Output and log files are flushed first;
    everything sheetcrm writes is closed by then."""
    import logging
    import os

    if isinstance(code, str):  # sys.exit("message") prints it and exits with 1
        print(code, file=sys.stderr)
        code = 1
    status = code if isinstance(code, int) else 0 if code is None else 1
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach the reader
            pass
    os._exit(status)

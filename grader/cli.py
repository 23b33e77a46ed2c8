"""The ``kata`` command: a thin click layer over the engine.

Commands parse arguments, call the engine and render; user errors become one
line on stderr with exit status 2, in one place (``KataGroup``): the engine's
``KataError``, and a file operation the system refused (``OSError``: a folder
that cannot be written, a file where a folder should be). With ``--json`` every
usage error is a JSON object on stdout instead, so scripts always get JSON.
``KATA_DEBUG=1`` lets such errors through with their traceback.
"""

from __future__ import annotations

import importlib
import json
import math
import os
from pathlib import Path
from typing import Any

import click

from grader import __version__
from grader.catalog import Bank, open_bank
from grader.errors import KataError, os_reason
from grader.reports import printable

WANTS_JSON = "kata.wants_json"  # key of ctx.meta: --json was among the arguments


class UserError(click.ClickException):
    exit_code = 2

    def __init__(self, message: str, as_json: bool = False) -> None:
        super().__init__(message)
        self.as_json = as_json

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        if self.as_json:
            error = {"kind": "usage", "message": self.format_message()}
            click.echo(json_text({"version": 1, "error": error}))
        else:
            click.echo(f"kata: error: {printable(self.format_message())}", err=True)


def json_text(data: Any) -> str:
    """Indented JSON; a number JSON cannot hold (inf, NaN) becomes null, so it always parses."""
    return json.dumps(_finite(data), indent=2, allow_nan=False)


def _finite(data: Any) -> Any:
    if isinstance(data, float) and not math.isfinite(data):
        return None
    if isinstance(data, dict):
        return {key: _finite(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_finite(value) for value in data]
    return data


def as_user_error(error: click.UsageError, as_json: bool) -> click.UsageError | UserError:
    """Click's own usage errors keep their rendering (usage line, hint), except under --json."""
    shows_help = getattr(click.exceptions, "NoArgsIsHelpError", ())
    if not as_json or isinstance(error, shows_help):
        return error
    return UserError(error.format_message(), as_json=True)


# Command name -> "module:attribute". A command's module is imported only when it is
# used (or listed by --help), so `kata check` does not pay for the grading pool's imports.
COMMANDS = {
    "list": "grader.cli_learner:list_katas",
    "start": "grader.cli_learner:start",
    "show": "grader.cli_learner:show",
    "check": "grader.cli_learner:check_command",
    "solution": "grader.cli_learner:solution",
    "demo": "grader.cli_learner:demo",
    "mock": "grader.cli_mock:mock",
    "history": "grader.cli_mock:history",
    "grade": "grader.cli_grade:grade",
    "gradescope-bundle": "grader.cli_grade:gradescope_bundle",
    "validate": "grader.cli_author:validate_command",
    "new": "grader.cli_author:new_command",
    "stats": "grader.cli_practice:stats_command",
    "hint": "grader.cli_practice:hint_command",
    "watch": "grader.cli_practice:watch_command",
    "next": "grader.cli_practice:next_command",
}


class KataGroup(click.Group):
    """Loads each command's module on demand; turns every user error into exit 2."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name].split(":")
        return getattr(importlib.import_module(module), attribute)

    def make_context(
        self, info_name: str | None, args: list[str], parent: click.Context | None = None, **extra
    ) -> click.Context:
        wants_json = "--json" in args
        try:
            ctx = super().make_context(info_name, args, parent, **extra)
        except click.UsageError as error:
            raise as_user_error(error, wants_json) from None
        ctx.meta[WANTS_JSON] = wants_json
        return ctx

    def invoke(self, ctx: click.Context):
        wants_json = ctx.meta.get(WANTS_JSON, False)
        try:
            return super().invoke(ctx)
        except KataError as error:
            raise UserError(str(error), wants_json) from None
        except click.UsageError as error:
            raise as_user_error(error, wants_json) from None
        except OSError as error:
            if os.environ.get("KATA_DEBUG"):
                raise
            raise UserError(os_reason(error), wants_json) from None


def use_colour() -> bool | None:
    """NO_COLOR (https://no-color.org) wins; otherwise click decides by terminal."""
    return False if os.environ.get("NO_COLOR") else None


def style(text: str, **styles: object) -> str:
    return text if os.environ.get("NO_COLOR") else click.style(text, **styles)


def echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err, color=use_colour())


def warn(message: str) -> None:
    """A warning on stderr: something went wrong, yet the command could do its work."""
    echo(style(printable(f"kata: warning: {message}"), fg="yellow"), err=True)


def suites_in_this_process() -> None:
    """Run hidden suites in this CLI process, saving a Python and pytest start per check.

    The process becomes a trusted runner (see ``engine.become_runner``); learner code
    still runs only in its confined child. ``KATA_RUNNER=subprocess`` keeps a
    separate runner process per check instead.
    """
    if os.environ.get("KATA_RUNNER") == "subprocess":
        return
    from grader.engine import become_runner

    become_runner()


def folder_option(what: str = "The workspace folder."):
    """``--dir DIR`` (default: here), shared by the commands that work in a folder."""
    return click.option(
        "--dir",
        "folder",
        type=click.Path(file_okay=False, path_type=Path),
        default=".",
        show_default=True,
        help=what,
    )


def bank_of(ctx: click.Context, bank_dir: Path | None = None) -> Bank:
    """The bank a command works on: its own ``--bank``, else the one given to ``kata``."""
    return open_bank(bank_dir) if bank_dir else ctx.find_root().obj


# For commands an instructor or author runs on their own bank: `kata grade DIR --bank B`.
bank_option = click.option(
    "--bank",
    "bank_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="A kata bank folder (same as `kata --bank`).",
)


@click.group(cls=KataGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--bank",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    envvar="KATA_BANK",
    help="A kata bank folder (with katas/ and solutions/) instead of the bundled one.",
)
@click.version_option(__version__, prog_name="kata")
@click.pass_context
def main(ctx: click.Context, bank: Path | None) -> None:
    """Practise and grade from-scratch NumPy katas: ReLU, softmax, BCE, Linear, Adam, an MLP.

    \b
    Example:
        kata list
        kata start relu_backward
        kata check relu_backward
    """
    ctx.obj = open_bank(bank)

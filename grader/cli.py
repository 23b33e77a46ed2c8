"""The ``kata`` command: a thin click layer over the engine.

Commands parse arguments, call the engine and render; user errors from the
engine (``KataError``) become one line on stderr with exit status 2, in one
place (``KataGroup.invoke``).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from grader import __version__
from grader.catalog import Bank, open_bank
from grader.errors import KataError


class UserError(click.ClickException):
    exit_code = 2

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(f"kata: error: {self.format_message()}", err=True)


class KataGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KataError as error:
            raise UserError(str(error)) from None


def use_colour() -> bool | None:
    """NO_COLOR (https://no-color.org) wins; otherwise click decides by terminal."""
    return False if os.environ.get("NO_COLOR") else None


def style(text: str, **styles: object) -> str:
    return text if os.environ.get("NO_COLOR") else click.style(text, **styles)


def echo(text: str = "", err: bool = False) -> None:
    click.echo(text, err=err, color=use_colour())


def bank_of(ctx: click.Context) -> Bank:
    return ctx.find_root().obj


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


from grader import cli_grade, cli_learner, cli_mock  # noqa: E402,F401 - register their commands

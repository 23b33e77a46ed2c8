"""The kata author's command: kata validate, the meta-check of a bank's hidden suites."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli import bank_of, bank_option, echo, style
from grader.reports import render_table
from grader.validate import default_meta_root, validate


@click.command("validate")
@click.argument("kata_ids", metavar="[KATA]...", nargs=-1)
@click.option(
    "--meta",
    "meta_root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder with <kata>/mutants/*.py and <kata>/variants/*.py "
    "(default: the bank's tests/bank).",
)
@bank_option
@click.option("--workers", type=click.IntRange(1, 64), help="Checks run at once (default: cores).")
@click.option("-v", "--verbose", is_flag=True, help="List every file's verdict, not only problems.")
@click.pass_context
def validate_command(
    ctx: click.Context,
    kata_ids: tuple[str, ...],
    meta_root: Path | None,
    bank_dir: Path | None,
    workers: int | None,
    verbose: bool,
) -> None:
    """Test the hidden suites: reference passes, stub fails, mutants caught, variants accepted.

    Give --bank DIR to validate your own bank (a folder with katas/ and solutions/).

    \b
    Example:
        kata validate
        kata validate my_kata --bank ~/course-katas --meta ~/course-katas/meta
    """
    bank = bank_of(ctx, bank_dir)
    katas = [bank.get(k) for k in kata_ids] if kata_ids else list(bank.katas.values())
    meta = meta_root or default_meta_root(bank)
    if meta is None:
        echo(
            style(
                "kata: warning: no mutants folder found (tests/bank); checking reference and stub only",
                fg="yellow",
            ),
            err=True,
        )
    results = validate(bank, katas, meta, workers)
    header = ("KATA", "REFERENCE", "STUB", "MUTANTS CAUGHT", "VARIANTS OK", "SUITE TIME")
    rows = [header]
    for item in results:
        reference, stub = item.count("reference"), item.count("stub")
        rows.append(
            (
                item.kata,
                "passes" if reference == (1, 1) else ("missing" if reference[1] == 0 else "FAILS"),
                "fails all" if stub == (1, 1) else "PASSES SOME",
                "{}/{}".format(*item.count("mutant")),
                "{}/{}".format(*item.count("variant")),
                f"{item.suite_time_s:.2f} s",
            )
        )
    echo(render_table(rows, style))
    problems = [v for item in results for v in item.verdicts if not v.ok or verbose]
    for verdict in problems:
        mark = style("ok ", fg="green") if verdict.ok else style("BAD", fg="red")
        echo(
            f"{mark} {verdict.kata} {verdict.role} {Path(verdict.path).name}: {verdict.detail or 'as expected'}"
        )
    sys.exit(0 if all(item.ok for item in results) else 1)

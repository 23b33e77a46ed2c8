"""The kata author's command: kata validate, the meta-check of a bank's hidden suites."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.cli import bank_of, bank_option, echo, style
from grader.pool import Progress
from grader.reports import duration_text, render_table
from grader.validate import default_meta_root, validate


@click.command("validate")
@click.argument("kata_ids", metavar="[KATA]...", nargs=-1)
@click.option(
    "--meta",
    "meta_root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder with <kata>/mutants.toml, <kata>/mutants/*.py and <kata>/variants/*.py "
    "(default: the bank's tests/bank).",
)
@bank_option
@click.option("--workers", type=click.IntRange(1, 64), help="Checks run at once (default: cores).")
@click.option("-v", "--verbose", is_flag=True, help="List every file's verdict, not only problems.")
@click.option(
    "--seeds",
    type=click.IntRange(1, 100_000),
    help="Instead, check each reference on N seeds and list every seed on which a test "
    "fails or the check overruns the kata's budget.",
)
@click.option(
    "--first-seed",
    type=click.IntRange(0, 2**31 - 1),
    default=0,
    show_default=True,
    help="The first of the --seeds (they are consecutive).",
)
@click.option(
    "--variants", is_flag=True, help="With --seeds, check each correct variant on every seed too."
)
@click.pass_context
def validate_command(
    ctx: click.Context,
    kata_ids: tuple[str, ...],
    meta_root: Path | None,
    bank_dir: Path | None,
    workers: int | None,
    verbose: bool,
    seeds: int | None,
    first_seed: int,
    variants: bool,
) -> None:
    """Test the hidden suites: reference passes, stub fails, mutants caught, variants accepted.

    Give --bank DIR to validate your own bank (a folder with katas/ and solutions/).
    With --seeds N, sweep seeds instead: a correct file must pass on every seed, and a
    suite must never hang; each bad seed is listed with what failed.

    \b
    Example:
        kata validate
        kata validate my_kata --bank ~/course-katas --meta ~/course-katas/meta
        kata validate --seeds 200 --variants
    """
    bank = bank_of(ctx, bank_dir)
    katas = [bank.get(k) for k in kata_ids] if kata_ids else list(bank.katas.values())
    meta = meta_root or default_meta_root(bank)
    if variants and seeds is None:
        raise click.UsageError("--variants goes with --seeds N")
    if seeds is not None:
        sweep_seeds(bank, katas, range(first_seed, first_seed + seeds), meta, variants, workers)
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
            f"{mark} {verdict.kata} {verdict.role} {verdict.name}: {verdict.detail or 'as expected'}"
        )
    sys.exit(0 if all(item.ok for item in results) else 1)


def show_progress(progress: Progress) -> None:
    """One line updated in place on a terminal; nothing in a log (the sweep ends with a table)."""
    if sys.stderr.isatty():
        eta = f", ~{duration_text(progress.eta_s)} left" if progress.eta_s is not None else ""
        line = f"checked {progress.done}/{progress.total}, {progress.rate:.1f} checks/s{eta}"
        click.echo(f"\r  {line}   ", nl=progress.done == progress.total, err=True)


def sweep_seeds(
    bank, katas, seeds: range, meta: Path | None, variants: bool, workers: int | None
) -> None:
    """The --seeds mode: a summary per kata, then every bad seed; exit 1 if there is one."""
    from grader.sweep import sweep  # spawns workers: only this mode pays for it

    results = sweep(
        bank, katas, seeds, meta, variants=variants, workers=workers, on_progress=show_progress
    )
    rows = [("KATA", "FILES", "SEEDS", "BAD", "SLOWEST", "BUDGET")]
    for item in results:
        slowest = item.slowest
        rows.append(
            (
                item.kata,
                str(len({run.path for run in item.runs})),
                f"{seeds.start}-{seeds.stop - 1}",
                str(len(item.bad)),
                f"{slowest.duration_s:.2f} s (seed {slowest.seed})" if slowest else "-",
                f"{item.budget_s:g} s",
            )
        )
    echo(render_table(rows, style))
    bad = [run for item in results for run in item.bad]
    if bad:
        echo()
        rows = [("KATA", "FILE", "SEED", "PROBLEM")]
        for run in bad:
            for index, problem in enumerate(run.problems):
                named = index == 0  # a run's other problems go on the lines below its first
                rows.append(
                    (
                        run.kata if named else "",
                        Path(run.path).name if named else "",
                        str(run.seed) if named else "",
                        problem,
                    )
                )
        echo(render_table(rows, style))
        first = bad[0]
        echo(
            f"Replay one: kata check {first.kata} --file {first.path} --seed {first.seed} --no-timing"
        )
    sys.exit(1 if bad else 0)

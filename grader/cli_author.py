"""The kata author's commands: kata new (a scaffold) and kata validate (the meta-check)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from grader.catalog import DIFFICULTIES, PACKAGE_DIR, TRACKS
from grader.cli import bank_of, bank_option, echo, style
from grader.errors import KataError
from grader.pool import Progress
from grader.reports import duration_text, render_table
from grader.scaffold import MARK, NewKata, scaffold
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
    "--max-mutants",
    type=click.IntRange(1, None),
    help="Check only each kata's first N mutants (all are still built); default: all.",
)
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
    max_mutants: int | None,
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
    results = validate(bank, katas, meta, workers, max_mutants)
    header = ("KATA", "REFERENCE", "STUB", "MUTANTS CAUGHT", "VARIANTS OK", "SUITE TIME")
    rows = [header]
    for item in results:
        reference, stub = item.count("reference"), item.count("stub")
        rows.append(
            (
                item.kata,
                "passes" if reference == (1, 1) else ("missing" if reference[1] == 0 else "FAILS"),
                "fails all" if stub == (1, 1) else "PASSES SOME",
                "{}/{}".format(*item.count("mutant"))
                + (f" of {item.mutants_listed}" if max_mutants else ""),
                "{}/{}".format(*item.count("variant")),
                f"{item.suite_time_s:.2f} s",
            )
        )
    echo(render_table(rows, style))
    for item in results:
        if item.mistakes:
            slugs = ", ".join(mistake.split("/", 1)[1] for mistake in item.mistakes)
            echo(f"{item.kata}: {len(item.mistakes)} named mistakes: {slugs}")
    for item in results:
        for left in item.todo:
            echo(f"{style('TODO', fg='yellow')} {item.kata}: {left}")
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


@click.command("new")
@click.argument("kata_id", metavar="KATA")
@click.option("--title", help="The kata's title (default: from its id).")
@click.option(
    "--function",
    "functions",
    multiple=True,
    metavar="NAME",
    help="A function the learner writes (repeat for several; default: the kata id).",
)
@click.option("--level", type=click.Choice(DIFFICULTIES), default="easy", show_default=True)
@click.option("--minutes", type=click.IntRange(1, 600), default=15, show_default=True)
@click.option(
    "--track",
    default="course",
    show_default=True,
    help=f"Where `kata list` shows it: {', '.join(TRACKS)}, or a track of your own.",
)
@click.option(
    "--bank",
    "bank_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The bank to add it to; created if missing (default: this checkout's bank).",
)
@click.pass_context
def new_command(
    ctx: click.Context,
    kata_id: str,
    title: str | None,
    functions: tuple[str, ...],
    level: str,
    minutes: int,
    track: str,
    bank_dir: Path | None,
) -> None:
    """Scaffold a new kata: prompt, stub, suite, reference and an empty meta bank.

    Every place that needs you is marked TODO(kata new); `kata validate KATA` lists
    what is left until the kata is done.

    \b
    Example:
        kata new leaky_relu --function leaky_relu --function leaky_relu_backward
        kata new huber_loss --bank ~/course-katas --level warm-up --minutes 10
    """
    root = bank_dir or ctx.find_root().obj.root
    if bank_dir is None and root == PACKAGE_DIR / "bank":
        raise KataError(
            "the bundled bank is installed with the package; give --bank DIR for a bank of your own"
        )
    spec = NewKata(
        id=kata_id,
        title=title or kata_id.replace("_", " ").capitalize(),
        functions=functions or (kata_id,),
        difficulty=level,
        minutes=minutes,
        track=track,
    )
    written = scaffold(spec, root, root / "tests" / "bank")
    for path in written:
        echo(f"  created {path}")
    bank_flag = f" --bank {root}" if bank_dir else ""
    echo(
        f"Next: fill in every {MARK} mark, then run `kata validate {kata_id}{bank_flag}`: "
        "it lists what is still missing."
    )

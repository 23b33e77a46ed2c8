"""The instructor's commands: kata grade and kata gradescope-bundle."""

from __future__ import annotations

import os
import sys
from functools import partial
from pathlib import Path

import click

from grader.catalog import Kata
from grader.cli import bank_of, bank_option, echo, style
from grader.cluster import run_checks_on_cluster
from grader.engine import new_seed
from grader.errors import KataError
from grader.exports import student_table, total_of, write_exports
from grader.feedback import LEVELS, FeedbackPolicy, parse_policy
from grader.gradebook import Gradebook
from grader.gradescope import grade_submission, write_bundle
from grader.grading import plan_jobs, run_jobs
from grader.pool import Progress, run_checks
from grader.reports import duration_text, printable
from grader.sandbox.isolation import chosen_mode, namespaces_problem, weak_confinement_warning
from grader.submissions import discover, shown, staging_folder


def chosen_katas(bank, names: str | None) -> list[Kata]:
    if not names:
        return list(bank.katas.values())
    return [bank.get(name.strip()) for name in names.split(",") if name.strip()]


# --- what students see (--feedback) and Gradescope's total (--points) ---
def feedback_option(default: str):
    """``--feedback POLICY``, parsed into a ``FeedbackPolicy`` (a bad one is a one-line error)."""
    return click.option(
        "--feedback",
        "policy",
        default=default,
        show_default=True,
        metavar="POLICY",
        callback=lambda _ctx, _param, value: parse_policy(value),
        help=f"What students see: one of {', '.join(LEVELS)}, for every test category "
        "and/or per category (values, shapes, gradients, stability, contract), "
        "e.g. titles,gradients=full.",
    )


points_option = click.option(
    "--points",
    type=click.FloatRange(0, min_open=True),
    default=100.0,
    show_default=True,
    help="The assignment's total on Gradescope, shared equally by the katas.",
)
# --- end of feedback options ---


def show_progress(progress: Progress, job, result) -> None:
    """One line updated in place on a terminal; in a log, a line at every tenth of the jobs."""
    eta = f", ~{duration_text(progress.eta_s)} left" if progress.eta_s is not None else ""
    line = f"graded {progress.done}/{progress.total} jobs, {progress.rate:.1f} jobs/s{eta}"
    if sys.stderr.isatty():
        click.echo(f"\r  {line}   ", nl=progress.done == progress.total, err=True)
    elif progress.done * 10 // progress.total != (progress.done - 1) * 10 // progress.total:
        click.echo(f"  {line}", err=True)


@click.command()
@click.argument(
    "submissions", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@click.option(
    "--katas", "names", help="Comma-separated kata ids (default: every kata in the bank)."
)
@click.option(
    "--workers", type=click.IntRange(1, 256), help="Jobs graded at once (default: cores)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default="gradebook",
    show_default=True,
    help="Folder for the gradebook and exports.",
)
@click.option("--regrade", is_flag=True, help="Grade every job again, even unchanged ones.")
@click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
    help="Seed for the suites' random inputs (default: fixed at the gradebook's first run).",
)
@bank_option
@click.option(
    "--timing/--no-timing",
    default=True,
    show_default=True,
    help="Measure speed against the reference for each job that passes.",
)
@click.option(
    "--require-confinement",
    is_flag=True,
    help="Refuse to grade unless learner code runs in namespaces of its own (bubblewrap).",
)
@click.option(
    "--cluster",
    metavar="ADDRESS",
    help="Grade on a Dask cluster: a scheduler's address (tcp://host:8786), or local:N "
    "for N local worker processes. Needs the cluster extra.",
)
@click.option(
    "--gradescope",
    is_flag=True,
    help="Grade one submission in Gradescope's autograder layout instead.",
)
@click.option(
    "--gradescope-root",
    type=click.Path(file_okay=False, path_type=Path),
    default="/autograder",
    show_default=True,
    help="Where Gradescope's submission/ and results/ are.",
)
@feedback_option("full")
@points_option
@click.pass_context
def grade(
    ctx: click.Context,
    submissions: Path | None,
    names: str | None,
    workers: int | None,
    out: Path,
    regrade: bool,
    seed: int | None,
    bank_dir: Path | None,
    timing: bool,
    require_confinement: bool,
    cluster: str | None,
    gradescope: bool,
    gradescope_root: Path,
    policy: FeedbackPolicy,
    points: float,
) -> None:
    """Grade a class: SUBMISSIONS/<student>/<kata>.py (or <student>.zip), in parallel.

    Writes a SQLite gradebook, grades.csv, students/<student>.json,
    feedback/<student>.md and gradescope/<student>/results.json into --out; what
    students see in the last three is --feedback's choice. Run the same command
    again to resume an interrupted run: finished jobs are kept unless the file changed.

    \b
    Example:
        kata grade submissions/ --out gradebook --workers 4
        kata grade submissions/ --katas relu_backward,adam_step
        kata grade submissions/ --feedback titles,gradients=full
        kata grade submissions/ --cluster tcp://10.0.0.5:8786
    """
    bank = bank_of(ctx, bank_dir)
    katas = chosen_katas(bank, names)
    if require_confinement and not cluster and chosen_mode() != "namespaces":
        raise KataError(
            f"--require-confinement: learner code cannot run in namespaces here "
            f"({namespaces_problem() or 'KATA_ISOLATION says not to'}); grade on Linux with "
            "user namespaces and bubblewrap, or drop the option"
        )
    warning = weak_confinement_warning()
    if warning:
        echo(style(f"kata: warning: {warning}", fg="red", bold=True), err=True)
    if gradescope:
        results = grade_submission(
            katas, gradescope_root, seed, policy=policy, points=points, timing=timing
        )
        echo(printable(results["output"], lines=True), err=True)  # for Gradescope's log
        echo(
            f"Gradescope results written: score {results['score']:g}/{points:g} "
            f"(seed {results['extra_data']['seed']})"
        )
        return
    if submissions is None:
        raise click.UsageError("give the SUBMISSIONS folder (or --gradescope)")
    out.mkdir(parents=True, exist_ok=True)
    book = Gradebook(out / "gradebook.sqlite3")
    try:
        seed = book.seed(seed, new_seed())
        with staging_folder(out) as staged:
            discovery = discover(submissions, set(bank.katas), staged)
            if not discovery.submissions:
                raise KataError(f"{submissions} holds no student folders or zips")
            if discovery.ignored:
                listed = ", ".join(discovery.ignored[:20]) + (
                    " ..." if len(discovery.ignored) > 20 else ""
                )
                echo(
                    style(
                        printable(f"Ignored {len(discovery.ignored)} item(s): {listed}"),
                        fg="yellow",
                    ),
                    err=True,
                )
            plan = plan_jobs(discovery, katas, book, seed, regrade)
            echo(
                f"{len(discovery.submissions)} students x {len(katas)} katas: {len(plan.todo)} jobs to grade, "
                f"{plan.done_already} already graded, {len(plan.missing)} files missing (seed {seed})"
            )
            executor = (
                partial(run_checks_on_cluster, cluster, require_namespaces=require_confinement)
                if cluster
                else run_checks
            )
            failures = run_jobs(
                bank,
                plan.todo,
                book,
                seed,
                workers or os.cpu_count() or 2,
                timing,
                show_progress,
                executor,
            )
        students = [s.student for s in discovery.submissions]
        kata_ids = [k.id for k in katas]
        rows = book.rows()
    finally:
        book.close()
    write_exports(out, rows, students, kata_ids, policy)
    render_summary(rows, students, kata_ids, out)
    if failures:
        for job, error in failures[:10]:
            echo(
                style(
                    printable(f"grader failure on {shown(job.student)}/{job.kata}: {error}"),
                    fg="red",
                ),
                err=True,
            )
        raise KataError(
            f"{len(failures)} job(s) failed in the grader itself; run again to retry them"
        )


def render_summary(rows, students: list[str], katas: list[str], out: Path) -> None:
    table = student_table(rows, students, katas)
    echo(style("KATA              MEAN   FULL MARKS  FLAGGED", bold=True))
    for kata in katas:
        scores = [graded[kata].score if kata in graded else 0.0 for graded in table.values()]
        full = sum(score == 100 for score in scores)
        flagged = sum(bool(graded[kata].flags) for graded in table.values() if kata in graded)
        echo(
            f"{kata:16s} {sum(scores) / len(scores):6.1f}  {full:5d}/{len(scores):<5d} {flagged:5d}"
        )
    totals = [total_of(graded, katas) for graded in table.values()]
    echo(f"{'overall':16s} {sum(totals) / len(totals):6.1f}")
    echo(
        f"Wrote {out / 'gradebook.sqlite3'}, {out / 'grades.csv'}, {out / 'students'}/, "
        f"{out / 'feedback'}/, {out / 'gradescope'}/"
    )


@click.command("gradescope-bundle")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--katas", "names", help="Comma-separated kata ids (default: every kata in the bank)."
)
@click.option(
    "--seed",
    type=click.IntRange(0, 2**63 - 1),
    help="Seed for the suites' random inputs on every submission (default: drawn now).",
)
@feedback_option("titles")
@points_option
@bank_option
@click.pass_context
def gradescope_bundle(
    ctx: click.Context,
    out: Path,
    names: str | None,
    seed: int | None,
    policy: FeedbackPolicy,
    points: float,
    bank_dir: Path | None,
) -> None:
    """Write Gradescope's autograder zip (setup.sh + run_autograder + this project).

    The seed, --feedback and --points are baked into run_autograder: every run of
    the same file gets the same score, and results.json records the seed.

    \b
    Example:
        kata gradescope-bundle autograder.zip --katas relu_backward,stable_softmax
        kata gradescope-bundle autograder.zip --points 20 --feedback titles,values=after-due
    """
    bank = bank_of(ctx, bank_dir)
    seed = new_seed() if seed is None else seed
    members = write_bundle(
        bank, chosen_katas(bank, names), out, seed=seed, policy=policy, points=points
    )
    echo(
        f"Wrote {out} ({len(members)} files; seed {seed}, feedback {policy.spec}, "
        f"{points:g} points): upload it as the assignment's autograder."
    )

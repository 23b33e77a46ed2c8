"""The instructor's commands: kata grade (and its subcommands) and kata gradescope-bundle.

``kata grade SUBMISSIONS`` grades a class; ``kata grade override|export|history``
work on the gradebook it keeps. ``GradeGroup`` lets the grading command keep its
old spelling: a first argument that names no subcommand is the SUBMISSIONS folder.
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from datetime import datetime
from functools import partial
from pathlib import Path

import click

from grader.catalog import Kata
from grader.class_report import class_report, files_to_compare
from grader.cli import bank_of, bank_option, echo, style, warn
from grader.cluster import run_checks_on_cluster
from grader.cluster import usable as cluster_usable
from grader.discovery_report import discovery_summary, render_discovery
from grader.engine import new_seed
from grader.errors import KataError
from grader.exports import (
    chosen_columns,
    grades_columns,
    write_canvas,
    write_columns,
    write_exports,
)
from grader.feedback import FULL, LEVELS, FeedbackPolicy, parse_policy
from grader.gradebook import Gradebook, Override
from grader.grades import StudentGrade, grades_of
from grader.gradescope import grade_submission, write_bundle
from grader.grading import plan_jobs, record_discovery, run_jobs
from grader.late import policy_from, policy_text, read_submission_times, updated_policy
from grader.lock import writing
from grader.overrides import FILE as OVERRIDES_FILE
from grader.overrides import set_override, sync_overrides
from grader.pool import Progress, run_checks
from grader.report_html import FILE as REPORT_FILE
from grader.report_html import write_report
from grader.reports import duration_text, printable
from grader.roster import match, name_key, read_roster
from grader.sandbox.isolation import chosen_mode, namespaces_problem, weak_confinement_warning
from grader.similarity import NEAR, similar_pairs
from grader.submissions import discover, shown, staging_folder

BOOK = "gradebook.sqlite3"
DISCOVERY_REPORT = "discovery.txt"


def chosen_katas(bank, names: str | None) -> list[Kata]:
    if not names:
        return list(bank.katas.values())
    return [bank.get(name.strip()) for name in names.split(",") if name.strip()]


def show_progress(progress: Progress, job, result) -> None:
    """One line updated in place on a terminal; in a log, a line at every tenth of the jobs."""
    eta = f", ~{duration_text(progress.eta_s)} left" if progress.eta_s is not None else ""
    line = f"graded {progress.done}/{progress.total} jobs, {progress.rate:.1f} jobs/s{eta}"
    if sys.stderr.isatty():
        click.echo(f"\r  {line}   ", nl=progress.done == progress.total, err=True)
    elif progress.done * 10 // progress.total != (progress.done - 1) * 10 // progress.total:
        click.echo(f"  {line}", err=True)


# --- what students see (--feedback) and Gradescope's total (--points) ---
def feedback_option(default: str | None):
    """``--feedback POLICY``, parsed into a ``FeedbackPolicy`` (a bad one is a one-line error)."""
    return click.option(
        "--feedback",
        "feedback",
        default=default,
        show_default=default is not None,
        metavar="POLICY",
        callback=lambda _ctx, _param, value: None if value is None else parse_policy(value),
        help=f"What students see: one of {', '.join(LEVELS)}, for every test category "
        "and/or per category (values, shapes, gradients, stability, contract), "
        "e.g. titles,gradients=full."
        + ("" if default else " Given once and kept in the gradebook (default: full)."),
    )


points_option = click.option(
    "--points",
    type=click.FloatRange(0, min_open=True),
    default=100.0,
    show_default=True,
    help="The assignment's total on Gradescope, shared equally by the katas.",
)
# --- end of feedback options ---


class GradeGroup(click.Group):
    """Subcommands by name; anything else is the grading command's arguments."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["run", *args]
        return super().parse_args(ctx, args)


@click.group(cls=GradeGroup)
def grade() -> None:
    """Grade a class into a gradebook, and keep it as the course's record.

    `kata grade SUBMISSIONS [options]` grades (see `kata grade run --help`);
    the subcommands set overrides, export for an LMS, show a student's history,
    rebuild report.html and list copied files.

    \b
    Example:
        kata grade submissions/ --out gradebook --workers 4
        kata grade override ada relu_backward 90 --reason "regraded by hand"
        kata grade export --format canvas --roster roster.csv --assignment "HW3 (1234)"
        kata grade report --out gradebook
        kata grade similar --out gradebook
    """


def out_option(help_text: str = "Folder of the gradebook and its exports."):
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default="gradebook",
        show_default=True,
        help=help_text,
    )


def csv_option(name: str, help_text: str):
    """An option naming a CSV file the LMS exported."""
    return click.option(
        name, type=click.Path(dir_okay=False, exists=True, path_type=Path), help=help_text
    )


def existing_book(out: Path) -> Gradebook:
    """The gradebook in ``out``, which must have been made by a grading run."""
    if not (out / BOOK).is_file():
        raise KataError(f"no gradebook in {out}; grade first: kata grade SUBMISSIONS --out {out}")
    return Gradebook(out / BOOK)


def rewrite_exports(
    book: Gradebook, out: Path, feedback: FeedbackPolicy | None = None
) -> list[StudentGrade]:
    """grades.csv, the per-student files and report.html, from the whole gradebook.

    The feedback policy, like the late rule, is given once and kept: an override or
    an export rewrites what students see under the policy of the runs before it.
    """
    if feedback is not None:
        book.set_setting("feedback", feedback.spec)
    kept = book.setting("feedback")
    grades = grades_of(book)
    write_exports(out, grades, book.katas(), parse_policy(kept) if kept else FULL)
    write_report(class_report(book), out)
    return grades


@grade.command("run")
@click.argument(
    "submissions", required=False, type=click.Path(file_okay=False, exists=True, path_type=Path)
)
@click.option(
    "--katas", "names", help="Comma-separated kata ids (default: every kata in the bank)."
)
@click.option(
    "--workers", type=click.IntRange(1, 256), help="Jobs graded at once (default: cores)."
)
@out_option("Folder for the gradebook and exports.")
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
    "--due",
    help="Due date, e.g. 2026-12-01T23:59 (local time unless an offset like +01:00 or Z).",
)
@click.option(
    "--late-penalty",
    help="Penalty rule, e.g. 10%/day,max=50%,grace=15m (kept in the gradebook).",
)
@csv_option(
    "--submission-times",
    "CSV of submission times as the LMS exported them (student column + time column).",
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
@feedback_option(None)
@points_option
@click.pass_context
def grade_run(
    ctx: click.Context,
    submissions: Path | None,
    names: str | None,
    workers: int | None,
    out: Path,
    regrade: bool,
    seed: int | None,
    bank_dir: Path | None,
    timing: bool,
    due: str | None,
    late_penalty: str | None,
    submission_times: Path | None,
    require_confinement: bool,
    cluster: str | None,
    gradescope: bool,
    gradescope_root: Path,
    feedback: FeedbackPolicy | None,
    points: float,
) -> None:
    """Grade a class: SUBMISSIONS/<student>/<kata>.py (or <student>.zip), in parallel.

    Adds every attempt to the SQLite gradebook in --out, then rewrites grades.csv,
    students/<student>.json, feedback/<student>.md and gradescope/<student>/results.json
    from the whole gradebook; what students see in the last three is --feedback's
    choice. Run the same command again to resume an interrupted run: finished jobs
    are kept unless the file changed. --due, --late-penalty and --feedback are given
    once and kept; overrides.csv in --out is read at every run.

    \b
    Example:
        kata grade submissions/ --out gradebook --workers 4
        kata grade late/ --out gradebook --submission-times times.csv
        kata grade submissions/ --due 2026-12-01T23:59 --late-penalty 10%/day,max=50%
        kata grade submissions/ --feedback titles,gradients=full
        kata grade submissions/ --cluster tcp://10.0.0.5:8786
    """
    bank = bank_of(ctx, bank_dir)
    katas = chosen_katas(bank, names)
    if cluster:
        cluster_usable(cluster)
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
            katas, gradescope_root, seed, policy=feedback or FULL, points=points, timing=timing
        )
        echo(printable(results["output"], lines=True), err=True)  # for Gradescope's log
        echo(
            f"Gradescope results written: score {results['score']:g}/{points:g} "
            f"(seed {results['extra_data']['seed']})"
        )
        return
    if submissions is None:
        raise click.UsageError("give the SUBMISSIONS folder (or --gradescope)")
    with writing(out):
        book = Gradebook(out / BOOK)
        try:
            seed = book.seed(seed, new_seed())
            policy = updated_policy(policy_from(book.setting("late_policy")), due, late_penalty)
            if policy:
                book.set_setting("late_policy", policy_text(policy))
            with staging_folder(out) as staged:
                discovery = discover(submissions, set(bank.katas), staged)
                if not discovery.submissions:
                    raise KataError(f"{submissions} holds no student folders or zips")
                kata_ids = [k.id for k in katas]
                (out / DISCOVERY_REPORT).write_text(render_discovery(discovery, kata_ids))
                record_discovery(discovery, katas, book)
                if submission_times:
                    note_times(book, submission_times)
                sync_overrides(book, out)
                plan = plan_jobs(discovery, katas, book, seed, regrade)
                echo(
                    f"{len(discovery.submissions)} students x {len(katas)} katas: "
                    f"{len(plan.todo)} jobs to grade, {plan.done_already} already graded, "
                    f"{len(plan.missing)} files missing (seed {seed})"
                )
                if policy:
                    echo(f"Late work: {policy.describe()}")
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
            grades = rewrite_exports(book, out, feedback)
            render_summary(grades, book.katas(), out)
            for line in discovery_summary(discovery, kata_ids, out / DISCOVERY_REPORT):
                echo(line)
        finally:
            book.close()
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


def note_times(book: Gradebook, path: Path) -> None:
    """Keep the submission times of the students the CSV names; say which rows matched no one."""
    times, unmatched = read_submission_times(path, book.students())
    book.set_submission_times(times, str(path))
    echo(f"Submission times: {len(times)} students matched in {path}")
    if unmatched:
        warn(f"{len(unmatched)} row(s) of {path} match no student: {'; '.join(unmatched[:10])}")


def render_summary(grades: list[StudentGrade], katas: list[str], out: Path) -> None:
    """Per kata over the whole roster: mean final score, full marks, flagged; then overall."""
    echo(style("KATA              MEAN   FULL MARKS  FLAGGED", bold=True))
    for kata in katas:
        scores = [grade.katas[kata].final for grade in grades]
        full = sum(score == 100 for score in scores)
        flagged = sum(
            bool(grade.katas[kata].attempt and grade.katas[kata].attempt.flags) for grade in grades
        )
        echo(
            f"{kata:16s} {sum(scores) / len(scores):6.1f}  {full:5d}/{len(scores):<5d} {flagged:5d}"
        )
    echo(f"{'overall':16s} {sum(g.total for g in grades) / len(grades):6.1f}")
    echo(
        f"Wrote {out / BOOK}, {out / 'grades.csv'}, {out / 'students'}/, {out / 'feedback'}/, "
        f"{out / 'gradescope'}/, {out / REPORT_FILE}"
    )


def student_named(book: Gradebook, typed: str) -> str:
    """The gradebook's spelling of a student typed by a person (any case, accents, NFC/NFD)."""
    students = book.students()
    if typed in students:
        return typed
    found = match([typed], [{name_key(s)} for s in students]).found
    if typed not in found:
        raise KataError(
            f"no student '{typed}' in {book.path}; name them as in grades.csv "
            f"(e.g. {', '.join(students[:3])})"
        )
    return students[found[typed]]


@grade.command("override")
@click.argument("student")
@click.argument("kata")
@click.argument("score", type=click.FloatRange(0, 100), required=False)
@click.option("--reason", help="Why: kept in the gradebook and shown in every export.")
@click.option("--clear", is_flag=True, help="Remove the override: the graded score counts again.")
@out_option()
@bank_option
def override_command(
    student: str,
    kata: str,
    score: float | None,
    reason: str | None,
    clear: bool,
    out: Path,
    bank_dir: Path | None,
) -> None:
    """Set the score of one student's kata by hand, over what was graded.

    The override is a row of overrides.csv in --out (which you may also edit
    by hand: the file always wins), survives every rerun, is logged in the
    gradebook, and is marked in every export. The late penalty does not apply to it.

    \b
    Example:
        kata grade override ada relu_backward 90 --reason "off-by-one forgiven" --out gradebook
        kata grade override ada relu_backward --clear --out gradebook
    """
    if not clear and (score is None or not (reason or "").strip()):
        raise click.UsageError("give a SCORE and a --reason (or --clear)")
    with writing(out):
        book = existing_book(out)
        try:
            name = student_named(book, unicodedata.normalize("NFC", student))
            change = Override(name, kata, score or 0.0, (reason or "").strip())
            set_override(book, out, change, clear)
            rewrite_exports(book, out)
        finally:
            book.close()
    done = "cleared" if clear else f"set to {score:g}"
    echo(
        printable(
            f"Override of {name}/{kata} {done}; {out / OVERRIDES_FILE} and grades.csv updated."
        )
    )


@grade.command("export")
@click.option(
    "--format", "form", type=click.Choice(["canvas", "csv"]), required=True, help="What to write."
)
@csv_option("--roster", "canvas: the course's gradebook exported from Canvas (its students, IDs).")
@click.option(
    "--assignment",
    help='canvas: the assignment column, as Canvas names it: "HW3 (1234)" (default: the '
    "roster's only assignment).",
)
@click.option(
    "--points",
    type=click.FloatRange(0, min_open=True),
    default=100.0,
    show_default=True,
    help="canvas: the assignment's points; the total (0-100) is scaled to it.",
)
@click.option("--columns", help="csv: comma-separated columns (default: those of grades.csv).")
@click.option(
    "--to", "target", type=click.Path(dir_okay=False, path_type=Path), help="File to write."
)
@out_option()
@bank_option
def export_command(
    form: str,
    roster: Path | None,
    assignment: str | None,
    points: float,
    columns: str | None,
    target: Path | None,
    out: Path,
    bank_dir: Path | None,
) -> None:
    """Write the whole gradebook for an LMS: Canvas's import CSV, or chosen columns.

    \b
    Example:
        kata grade export --format canvas --roster roster.csv --assignment "HW3 (1234)"
        kata grade export --format csv --columns student,total,late_penalty --to final.csv
    """
    with writing(out):
        book = existing_book(out)
        try:
            sync_overrides(book, out)
            grades, katas = grades_of(book), book.katas()
        finally:
            book.close()
    if form == "csv":
        target = target or out / "export.csv"
        write_columns(
            target, grades, chosen_columns(columns, katas) if columns else grades_columns(katas)
        )
        echo(f"Wrote {target}: {len(grades)} students.")
        return
    if roster is None:
        raise click.UsageError(
            "--format canvas needs --roster (the gradebook exported from Canvas)"
        )
    entries, assignments = read_roster(roster)
    column = assignment or only_assignment(assignments, roster)
    target = target or out / "canvas.csv"
    written = write_canvas(target, grades, entries, column, points)
    echo(
        printable(
            f"Wrote {target}: {written.written} students, column '{column}' out of {points:g}."
        )
    )
    if written.unmatched_students:
        warn(
            f"{len(written.unmatched_students)} graded student(s) match no roster row, left out: "
            + ", ".join(shown(s) for s in written.unmatched_students[:20])
        )
    if written.unmatched_roster:
        echo(
            f"{len(written.unmatched_roster)} roster student(s) have no graded work (left out, so "
            "Canvas keeps their grade as it is): "
            + printable(", ".join(e.student for e in written.unmatched_roster[:20]))
        )


def only_assignment(columns: list[str], roster: Path) -> str:
    """The roster's one assignment column ("Name (id)"); any other count needs --assignment."""
    named = [c for c in columns if c.endswith(")") and c.rsplit("(", 1)[-1][:-1].isdigit()]
    if len(named) != 1:
        choices = ", ".join(f'"{c}"' for c in named) or "none in the roster"
        raise KataError(f"--assignment: give the Canvas column to fill ({choices})")
    return named[0]


@grade.command("history")
@click.argument("student")
@click.argument("kata", required=False)
@out_option()
@bank_option
def history_command(student: str, kata: str | None, out: Path, bank_dir: Path | None) -> None:
    """Every graded attempt of a student (at one kata), oldest first, and their overrides.

    \b
    Example:
        kata grade history ada relu_backward --out gradebook
    """
    book = existing_book(out)
    try:
        name = student_named(book, unicodedata.normalize("NFC", student))
        attempts = book.history(name, kata)
        log = [entry for entry in book.override_log(name) if kata in (None, entry[0])]
    finally:
        book.close()
    echo(printable(f"{name}: {len(attempts)} attempt(s)"))
    for row in attempts:
        flags = f"  flags: {', '.join(row.flags)}" if row.flags else ""
        echo(
            printable(
                f"  {moment(row.graded_at)}  {row.kata:16s} {row.score:6.1f}  "
                f"file {row.file_hash[:12]}  seed {row.seed}{flags}"
            )
        )
    for kata_id, score, reason, when in log:
        what = "cleared" if score is None else f"set to {score:g} ({reason})"
        echo(printable(f"  {moment(when)}  {kata_id:16s} override {what}"))


@grade.command("report")
@out_option()
@bank_option
def report_command(out: Path, bank_dir: Path | None) -> None:
    """Rebuild report.html in --out from the gradebook alone (no grading, no bank).

    The page is static: open it in any browser, e-mail it or print it. Every
    `kata grade` run and override writes it too.

    \b
    Example:
        kata grade report --out gradebook
    """
    book = existing_book(out)
    try:
        report = class_report(book)
    finally:
        book.close()
    echo(f"Wrote {write_report(report, out)}: {len(report.grades)} students.")


@grade.command("similar")
@out_option()
@click.option("--json", "as_json", is_flag=True, help="Print the pairs as JSON.")
@bank_option
def similar_command(out: Path, as_json: bool, bank_dir: Path | None) -> None:
    """Pairs of students with the same file, or the same code up to names and layout.

    Per kata, from the latest attempts in the gradebook: exact copies (the same
    bytes) and near-copies (similarity 0-1 of the normalised code's fingerprints,
    listed from NEAR up). A pair is a reason to look, not a verdict.

    \b
    Example:
        kata grade similar --out gradebook
        kata grade similar --out gradebook --json > copies.json
    """
    book = existing_book(out)
    try:
        pairs = similar_pairs(files_to_compare(book))
    finally:
        book.close()
    if as_json:
        echo(json.dumps({"near": NEAR, "pairs": [p.to_json() for p in pairs]}, indent=2))
        return
    if not pairs:
        echo(f"No copies: no pair of files at any kata is {NEAR:g} similar or more.")
        return
    for pair in pairs:
        kind = "same file" if pair.exact else "near-copy"
        first, second = (shown(s) for s in pair.students)
        echo(f"{pair.kata:16s} {pair.score:4.2f}  {kind:9s}  {first} ~ {second}")


def moment(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M:%S")


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
    feedback: FeedbackPolicy,
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
        bank, chosen_katas(bank, names), out, seed=seed, policy=feedback, points=points
    )
    echo(
        f"Wrote {out} ({len(members)} files; seed {seed}, feedback {feedback.spec}, "
        f"{points:g} points): upload it as the assignment's autograder."
    )

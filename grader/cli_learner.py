"""The learner's commands: list, start, show, check, solution, demo."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from grader.catalog import by_track
from grader.cli import (
    bank_of,
    echo,
    folder_option,
    json_text,
    style,
    suites_in_this_process,
    warn,
)
from grader.collect import count_tests
from grader.engine import check
from grader.errors import KataError, MissingFile
from grader.history import History, PastCheck
from grader.mock import Mock
from grader.plots import save_png
from grader.reports import (
    duration_text,
    hints_text,
    render_check,
    render_table,
    time_left_text,
)
from grader.results import CheckResult
from grader.selection import Selection, parse_pattern
from grader.workspace import Workspace

dir_option = folder_option()


def open_workspace(folder: Path) -> Workspace:
    workspace = Workspace(folder)
    _ = workspace.state  # load now, so a corrupt state is reported before anything else
    for warning in workspace.warnings:
        warn(warning)
    return workspace


@click.command("list")
@dir_option
@click.pass_context
def list_katas(ctx: click.Context, folder: Path) -> None:
    """List every kata by track, with its level, minutes and your progress here.

    \b
    Example:
        kata list
    """
    workspace = open_workspace(folder)
    groups = by_track(bank_of(ctx).katas.values())
    rows = [("KATA", "TITLE", "LEVEL", "MIN", "STATUS", "BEST TIME")]
    for katas in groups.values():
        for kata in katas:
            progress = workspace.progress(kata.id)
            best = duration_text(progress.best_time_s) if progress.best_time_s is not None else "-"
            status = progress.status + (f", {hints_text(progress.hints)}" if progress.hints else "")
            rows.append((kata.id, kata.title, kata.difficulty, str(kata.minutes), status, best))
    lines = render_table(rows, style).splitlines()
    echo(lines[0])
    at = 1
    for title, katas in groups.items():
        echo(style(f"\n{title}", fg="cyan"))
        echo("\n".join(lines[at : at + len(katas)]))
        at += len(katas)


@click.command()
@click.argument("kata_id", metavar="KATA")
@dir_option
@click.option("--force", is_flag=True, help="Overwrite an existing file (your work is lost).")
@click.pass_context
def start(ctx: click.Context, kata_id: str, folder: Path, force: bool) -> None:
    """Write the stub KATA.py into the workspace, show the prompt, start the clock.

    \b
    Example:
        kata start relu_backward
    """
    kata = bank_of(ctx).get(kata_id)
    workspace = open_workspace(folder)
    target = workspace.file_for(kata.id)
    if target.is_dir():
        raise KataError(f"{target} is a folder; move it away to start {kata.id} here")
    if target.exists() and not force:
        raise KataError(
            f"{target} already exists; keep working on it, or use --force to start over "
            "(this overwrites your file)"
        )
    stub, prompt = kata.stub(), kata.prompt()
    workspace.record_start(kata.id)  # first: a failed write leaves no file without a clock
    workspace.write_file(target, stub)
    echo(prompt)
    echo(
        style(
            f"Wrote {target}. The clock is running: edit it, then run `kata check {kata.id}`.",
            bold=True,
        )
    )


@click.command()
@click.argument("kata_id", metavar="KATA")
@click.option(
    "--answers", is_flag=True, help="Show the follow-up questions with their model answers."
)
@click.pass_context
def show(ctx: click.Context, kata_id: str, answers: bool) -> None:
    """Show the prompt of KATA again (or, with --answers, its follow-up questions).

    \b
    Example:
        kata show stable_softmax
        kata show stable_softmax --answers
    """
    kata = bank_of(ctx).get(kata_id)
    if not answers:
        echo(kata.prompt())
        return
    followups = kata.coaching.followups
    if not followups:
        raise KataError(f"{kata.id} has no follow-up questions")
    for number, followup in enumerate(followups, 1):
        echo(style(f"{number}. {followup.question}", bold=True))
        echo(f"   {followup.answer}\n")


class PatternType(click.ParamType):
    """``-k PATTERN``, checked when the command line is read."""

    name = "pattern"

    def convert(self, value: str, param: click.Parameter | None, ctx: click.Context | None) -> str:
        try:
            parse_pattern(value)
        except ValueError as error:
            self.fail(str(error), param, ctx)
        return value


@click.command("check")
@click.argument("kata_id", metavar="KATA")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The file to check (default: KATA.py in the workspace).",
)
@dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as one JSON object.")
@click.option("--no-timing", is_flag=True, help="Skip the speed comparison with the reference.")
@click.option("--seed", type=click.IntRange(0, 2**63 - 1), help="Replay a check's random inputs.")
@click.option(
    "--failed-only",
    is_flag=True,
    help="Show only the tests that failed. Every test still runs and counts in the score.",
)
@click.option(
    "-k",
    "pattern",
    type=PatternType(),
    metavar="PATTERN",
    help="Show only the tests whose name, title or category contains PATTERN; pytest -k "
    "syntax ('grad and not shape'). It filters what is shown: every test still runs "
    "and counts in the score.",
)
@click.option(
    "--plot",
    "plot_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the training katas' figures to this PNG (needs kata[plots]).",
)
@click.pass_context
def check_command(
    ctx: click.Context,
    kata_id: str,
    file: Path | None,
    folder: Path,
    as_json: bool,
    no_timing: bool,
    seed: int | None,
    failed_only: bool,
    pattern: str | None,
    plot_path: Path | None,
) -> None:
    """Run KATA's hidden suite against your file and show the verdict.

    Exit status: 0 when every test passes, 1 when any fails or the file is
    rejected, 2 for usage errors (with --json, a JSON object {"error": ...}).
    --failed-only and -k change the text report only; the JSON lists every test.

    \b
    Example:
        kata check relu_backward
        kata check relu_backward --failed-only -k "values or gradients"
        kata check relu_backward --file ~/drafts/relu.py --json
    """
    kata = bank_of(ctx).get(kata_id)
    workspace = open_workspace(folder)
    # Absolute and normalised, so the JSON's `file` means the same from any folder.
    path = Path(os.path.abspath(file if file is not None else workspace.file_for(kata.id)))
    if path.is_dir():
        raise MissingFile(f"{path} is a folder, not a file: give the file's path with --file")
    if not path.is_file():
        hint = "check the path" if file else f"run `kata start {kata.id}` to create it"
        raise MissingFile(f"no file {path}: {hint}")
    suites_in_this_process()
    result = check(
        kata,
        path,
        seed=seed,
        timing=not no_timing,
        started_at=workspace.started_at(kata.id) if file is None else None,
    )
    hints = workspace.hints_used(kata.id) if file is None else 0
    first_pass = file is None and workspace.progress(kata.id).status != "passed"
    mock_line, problem = (
        record_in_workspace(workspace, result, path, hints) if file is None else (None, None)
    )
    if as_json:
        echo(json_text(result.to_json()))
    else:
        suite_size = count_tests(kata) if result.error and not result.tests else None
        selection = Selection(pattern, failed_only)
        echo(render_check(result, style, not no_timing, selection, suite_size, hints))
        if mock_line:
            echo(style(mock_line, bold=True))
        elif first_pass and result.all_passed and kata.coaching.followups:
            question = kata.coaching.followups[0].question
            echo(f"\n{style('An interviewer would now ask:', bold=True)} {question}")
            echo(f"(Think it through, then compare: `kata show {kata.id} --answers`.)")
    if problem:
        warn(f"this check was not recorded: {problem}")
    if plot_path is not None:
        save_png(result.figures, plot_path)
        if not as_json:
            echo(f"Figures written to {plot_path}.")
    sys.exit(0 if result.all_passed else 1)


def record_in_workspace(
    workspace: Workspace, result: CheckResult, path: Path, hints: int = 0
) -> tuple[str | None, str | None]:
    """Record a check in the workspace, in the practice history, and in its mock, if any.

    Returns the mock's line for the report, and why the check could not be
    recorded: a verdict is still worth showing from a folder that cannot be written.
    """
    try:
        workspace.record_check(result)
        mock = Mock.find(workspace)
        event = mock.record_check(result, path) if mock and not mock.finished else None
    except KataError as error:
        return None, str(error)
    try:
        History().record_check(
            PastCheck(
                result.kata,
                workspace.clock(),
                result.score,
                result.all_passed,
                result.elapsed_since_start_s,
                hints,
            )
        )
    except KataError as error:
        warn(f"{error} (the check is recorded in the workspace)")
    if mock is None or event is None:
        return None, None
    late = "; this check is late and does not count" if event["late"] else ""
    return f"Mock: {time_left_text(mock.time_left())}{late}", None


@click.command()
@click.argument("kata_id", metavar="KATA")
@dir_option
@click.option("--yes", is_flag=True, help="Show it without asking.")
@click.pass_context
def solution(ctx: click.Context, kata_id: str, folder: Path, yes: bool) -> None:
    """Show the reference solution of KATA (asks first unless you have passed it).

    \b
    Example:
        kata solution relu_backward --yes
    """
    kata = bank_of(ctx).get(kata_id)
    if kata.solution is None:
        raise KataError(f"this bank has no reference solution for {kata.id}")
    passed = open_workspace(folder).progress(kata.id).status == "passed"
    if not (yes or passed):
        if not sys.stdin.isatty():
            raise KataError(
                "you have not passed this kata yet: add --yes to see the solution anyway"
            )
        click.confirm("You have not passed this kata yet. Show the solution anyway?", abort=True)
    echo(kata.solution.read_text(encoding="utf-8"))


@click.command()
@click.pass_context
def demo(ctx: click.Context) -> None:
    """Check a bundled correct and a bundled buggy file, to see the tool at work.

    \b
    Example:
        kata demo
    """
    bank = bank_of(ctx)
    kata = next(
        (k for k in bank.katas.values() if k.example("correct") and k.example("buggy")), None
    )
    if kata is None:
        raise KataError("this bank has no kata with examples/correct.py and examples/buggy.py")
    for name, story in (
        ("correct", "a correct solution"),
        ("buggy", "a solution with classic mistakes"),
    ):
        echo(style(f"== kata check {kata.id} on {story} ==", bold=True))
        suites_in_this_process()
        result = check(kata, kata.example(name))
        echo(render_check(result, style))
        echo()
    echo(f"Your turn: `kata start {kata.id}`, edit {kata.file_name}, then `kata check {kata.id}`.")

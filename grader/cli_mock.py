"""The candidate's commands: kata mock start / status / finish, and kata history."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from pathlib import Path

import click

from grader.cli import bank_of, echo, folder_option, json_text, style, warn
from grader.engine import check, new_seed
from grader.errors import KataError
from grader.history import History
from grader.mock import (
    DEFAULT_MINUTES,
    MAX_MINUTES,
    Mock,
    MockReport,
    choose_katas,
    finish_mock,
    report_to_json,
    start_mock,
)
from grader.reports import (
    render_history,
    render_mock_plan,
    render_mock_report,
    render_mock_status,
    time_left_text,
)

POLL_SECONDS = 1.0


@click.group()
def mock() -> None:
    """Self-timed mock interviews: a few katas, a hard deadline, an honest report."""


@mock.command("start")
@click.option(
    "--minutes",
    type=float,
    default=DEFAULT_MINUTES,
    show_default=True,
    help=f"Time budget, at most {MAX_MINUTES:g} (fractions allowed: 0.5 = 30 s).",
)
@click.option(
    "--katas", "names", help="Comma-separated kata ids (default: picked at random to fit)."
)
@click.option("--count", type=int, help="How many katas to pick at random.")
@click.option(
    "--track",
    "tracks",
    multiple=True,
    metavar="TRACK",
    help="Pick only from this track (repeat for several; `kata list` shows them).",
)
@click.option(
    "--seed", type=click.IntRange(0, 2**63 - 1), help="Seed for picking katas and test inputs."
)
@click.option(
    "--dir",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="The mock folder (default: a new dated folder here).",
)
@click.option("--force", is_flag=True, help="Replace a mock already in --dir.")
@click.option(
    "--wait/--no-wait",
    default=None,
    help="Stay with a live countdown that re-checks saved files (default: when run in a terminal).",
)
@click.pass_context
def mock_start(
    ctx: click.Context,
    minutes: float,
    names: str | None,
    count: int | None,
    tracks: tuple[str, ...],
    seed: int | None,
    folder: Path | None,
    force: bool,
    wait: bool | None,
) -> None:
    """Start a mock interview: stubs, prompts, a deadline.

    \b
    Example:
        kata mock start --minutes 30 --count 2
        kata mock start --minutes 45 --track core
        kata mock start --katas relu_backward,adam_step --dir mock1
    """
    if names is not None and (count is not None or tracks):
        raise click.UsageError("give --katas, or --count and --track, not both")
    bank = bank_of(ctx)
    seed = new_seed() if seed is None else seed
    chosen = choose_katas(
        bank,
        minutes,
        [n.strip() for n in names.split(",") if n.strip()] if names is not None else None,
        count,
        seed,
        tracks,
    )
    folder = folder or Path(time.strftime("mock-%Y%m%d-%H%M%S"))
    started = start_mock(bank, folder, chosen, minutes, seed, force)
    echo(render_mock_plan(started.data["id"], str(folder), chosen, minutes, started.deadline))
    if wait if wait is not None else sys.stdin.isatty():
        countdown(ctx, started)


def countdown(ctx: click.Context, started: Mock) -> None:
    """Live countdown; re-checks a file when it is saved (polling); grades at the deadline."""
    from grader.cli_learner import record_in_workspace  # the one way a check is recorded

    bank = bank_of(ctx)
    folder = started.workspace.folder
    seen = {k: started.workspace.file_for(k).stat().st_mtime for k in started.katas}
    echo("Live countdown: save a file to re-check it. Ctrl-C leaves the mock running.")
    try:
        while True:
            current = Mock.open(folder)
            left = current.time_left()
            click.echo(f"\r{time_left_text(max(left, 0)):>24s}   ", nl=False)
            if left <= 0:
                echo()
                show_report(finish_mock(bank, current, History()), as_json=False)
                return
            for kata_id in current.katas:
                path = current.workspace.file_for(kata_id)
                mtime = path.stat().st_mtime if path.exists() else 0.0
                if mtime != seen.get(kata_id):
                    seen[kata_id] = mtime
                    result = check(
                        bank.get(kata_id), path, seed=int(current.data["seed"]), timing=False
                    )
                    echo(
                        f"\r{kata_id}: {result.passed}/{result.total} passed, score {result.score:g}"
                    )
                    hints = current.workspace.hints_used(kata_id)
                    _, problem = record_in_workspace(current.workspace, result, path, hints)
                    if problem:
                        warn(f"this check was not recorded: {problem}")
            time.sleep(min(POLL_SECONDS, max(left, 0.05)))
    except KeyboardInterrupt:
        echo("\nThe mock keeps running: `kata mock status` and `kata mock finish` in its folder.")


mock_dir = folder_option("The mock folder.")


@mock.command("status")
@mock_dir
def mock_status(folder: Path) -> None:
    """Time left and, per kata, how the last check went.

    \b
    Example:
        kata mock status --dir mock-20261125-093000
    """
    echo(render_mock_status(Mock.open(folder)))


@mock.command("finish")
@mock_dir
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--questions/--no-questions",
    default=None,
    help="Then ask a follow-up question per kata, as an interviewer would "
    "(default: when run in a terminal).",
)
@click.pass_context
def mock_finish(ctx: click.Context, folder: Path, as_json: bool, questions: bool | None) -> None:
    """End the mock (early, or after the deadline) and print the report.

    \b
    Example:
        kata mock finish
        kata mock finish --no-questions
    """
    bank = bank_of(ctx)
    current = Mock.open(folder)
    report = finish_mock(bank, current, History())
    show_report(report, as_json)
    asks = questions if questions is not None else sys.stdin.isatty() and not as_json
    if asks and not current.data.get("followups_asked"):
        interview(bank, current)


def interview(bank, current: Mock) -> None:
    """One follow-up question per kata: think, see the model answer, mark it; keep the marks."""
    picks = followups_of(bank, current)
    if not picks:
        return
    echo(style("\nFollow-up questions: answer each in your head first.", bold=True))
    marks = []
    for number, (kata_id, followup) in enumerate(picks, 1):
        echo(f"\n{style(f'{number} of {len(picks)} ({kata_id}):', bold=True)} {followup.question}")
        click.prompt("Press Enter for the model answer", default="", show_default=False)
        echo(f"Model answer: {followup.answer}")
        got_it = click.confirm("Did you get it?", default=False)
        marks.append((kata_id, followup.question, got_it))
    got = sum(mark[2] for mark in marks)
    echo(style(f"\nFollow-ups: {got} of {len(marks)} got.", bold=True))
    try:
        History().record_followups(current.data["id"], marks)
    except KataError as error:
        warn(f"the follow-up marks were not saved: {error}")
        return
    current.data["followups_asked"] = True
    current.workspace.save()


def followups_of(bank, current: Mock) -> list:
    """For each kata of the mock that has follow-ups, one of them, chosen by the mock's seed."""
    picks = []
    for index, kata_id in enumerate(current.katas):
        followups = bank.get(kata_id).coaching.followups
        if followups:
            picks.append((kata_id, followups[(int(current.data["seed"]) + index) % len(followups)]))
    return picks


def show_report(report: MockReport, as_json: bool) -> None:
    """The report; and a warning when the history could not record it (nothing is lost)."""
    if as_json:
        echo(json_text({"version": 1, **report_to_json(report)}))
    else:
        echo(render_mock_report(report, style))
    if report.history_error:
        warn(
            f"this mock was not saved in your history: {report.history_error}. "
            "Its report stays in the mock folder; `kata mock finish` there tries again"
        )


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the history as JSON.")
def history(as_json: bool) -> None:
    """Past mock interviews and your best per kata.

    \b
    Example:
        kata history
    """
    store = History()
    mocks, bests = store.mocks(), store.bests()
    if as_json:
        data = {
            "version": 1,
            "mocks": [asdict(m) for m in mocks],
            "bests": [asdict(b) for b in bests],
        }
        echo(json_text(data))
    else:
        echo(render_history(mocks, bests))

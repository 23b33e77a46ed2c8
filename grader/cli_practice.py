"""The practice loop: kata watch, kata hint, kata stats (how it went), kata next (what now)."""

from __future__ import annotations

import sys
import time
from dataclasses import asdict
from pathlib import Path

import click

from grader.catalog import HINT_NAMES
from grader.cli import (
    bank_of,
    echo,
    folder_option,
    json_text,
    style,
    suites_in_this_process,
    warn,
)
from grader.cli_learner import open_workspace, record_in_workspace, start
from grader.engine import check
from grader.errors import KataError, MissingFile
from grader.history import History
from grader.mock import Mock
from grader.practice import ago_text, all_stats, due_text, recommend
from grader.reports import duration_text, render_check, render_table
from grader.selection import Selection
from grader.watch import SaveWatcher


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print the stats as JSON.")
@click.pass_context
def stats_command(ctx: click.Context, as_json: bool) -> None:
    """Per kata: checks, first and best time to pass, last practised, hints, trend.

    Every check of a workspace file counts, in any workspace.

    \b
    Example:
        kata stats
    """
    now = time.time()
    stats = all_stats(bank_of(ctx).katas.values(), History().checks())
    if as_json:
        echo(json_text({"version": 1, "katas": [asdict(s) for s in stats]}))
        return
    rows = [("KATA", "CHECKS", "FIRST PASS", "BEST", "LAST", "HINTS", "TREND", "REVIEW")]
    for item in stats:
        rows.append(
            (
                item.kata,
                str(item.checks),
                duration_text(item.first_pass_s) if item.first_pass_s is not None else "-",
                duration_text(item.best_pass_s) if item.best_pass_s is not None else "-",
                ago_text(now - item.last_at) if item.last_at is not None else "never",
                str(item.hints),
                " ".join(f"{score:.0f}" for score in item.trend) or "-",
                due_text(item.due_at, now) if item.due_at is not None else "-",
            )
        )
    echo(render_table(rows, style))


@click.command("next")
@click.option("--start", "start_it", is_flag=True, help="Start the recommended kata now.")
@folder_option()
@click.pass_context
def next_command(ctx: click.Context, start_it: bool, folder: Path) -> None:
    """What to practise now: a spaced-repetition pick from your history, with the reason.

    Never passed first, then the last failed or passed with hints, then what is due for
    review (Leitner boxes: 1, 3, 7, 14, 30 days); never the kata you checked last.

    \b
    Example:
        kata next
        kata next --start
    """
    bank = bank_of(ctx)
    pick = recommend(list(bank.katas.values()), History().checks(), time.time())
    if pick is None:
        echo("The bank has no kata.")
        return
    echo(f"{style(pick.kata, bold=True)}: {pick.reason}")
    if start_it:
        ctx.invoke(start, kata_id=pick.kata, folder=folder, force=False)
    else:
        echo(f"Start it with `kata start {pick.kata}` (or `kata next --start`).")


@click.command("hint")
@click.argument("kata_id", metavar="KATA")
@click.option("--all", "show_all", is_flag=True, help="Show every hint at once.")
@folder_option()
@click.pass_context
def hint_command(ctx: click.Context, kata_id: str, show_all: bool, folder: Path) -> None:
    """Reveal the next hint for KATA: a nudge, then the key idea, then the classic pitfall.

    Hints shown are counted beside your score (and in a mock's report).

    \b
    Example:
        kata hint adam_step
        kata hint adam_step --all
    """
    kata = bank_of(ctx).get(kata_id)
    hints = kata.coaching.hints
    if not hints:
        raise KataError(f"{kata.id} has no hints")
    workspace = open_workspace(folder)
    shown = workspace.hints_used(kata.id)
    wanted = len(hints) if show_all else min(shown + 1, len(hints))
    for number in range(1, wanted + 1):
        name = HINT_NAMES[number - 1] if number <= len(HINT_NAMES) else f"hint {number}"
        if show_all or number == wanted:
            echo(
                f"{style(f'Hint {number} of {len(hints)}', bold=True)} ({name}): {hints[number - 1]}"
            )
    if shown >= len(hints) and not show_all:
        echo("That was the last hint: `kata solution` shows the reference.")
    for _ in range(shown, wanted):
        workspace.record_hint(kata.id)
    mock = Mock.find(workspace)
    if mock is not None and not mock.finished and kata.id in mock.katas and wanted > shown:
        echo("Mock: hints are allowed, and counted in the report.")


@click.command("watch")
@click.argument("kata_id", metavar="[KATA]", required=False)
@folder_option()
@click.option("--all-tests", is_flag=True, help="Show passing tests too, not only failures.")
@click.pass_context
def watch_command(ctx: click.Context, kata_id: str | None, folder: Path, all_tests: bool) -> None:
    """Re-check a kata file each time you save it, redrawing one screen.

    Without KATA, follows whichever kata file in the workspace was saved last.
    Checks are recorded as with `kata check`. Ctrl-C stops.

    \b
    Example:
        kata watch adam_step
        kata watch
    """
    bank = bank_of(ctx)
    workspace = open_workspace(folder)
    katas = [bank.get(kata_id)] if kata_id else list(bank.katas.values())
    files = {workspace.file_for(kata.id): kata for kata in katas}
    if kata_id and not workspace.file_for(kata_id).is_file():
        raise MissingFile(
            f"no file {workspace.file_for(kata_id)}: run `kata start {kata_id}` first"
        )
    suites_in_this_process()
    watcher = SaveWatcher(lambda: files)
    first = workspace.file_for(kata_id) if kata_id else None
    try:
        if first is not None:
            redraw(files[first], first, workspace, all_tests)
        else:
            echo(f"Watching the kata files in {folder.resolve()}: save one to check it.")
        while True:
            saved = watcher.poll()
            if saved:
                path = saved[-1]  # the latest save wins
                redraw(files[path], path, workspace, all_tests)
            time.sleep(WATCH_POLL_S)
    except KeyboardInterrupt:
        echo("\nStopped watching.")


WATCH_POLL_S = 0.25


def redraw(kata, path: Path, workspace, all_tests: bool) -> None:
    """One screen: the verdict of the file as saved, its failures, score and time."""
    result = check(kata, path, timing=False, started_at=workspace.started_at(kata.id))
    hints = workspace.hints_used(kata.id)
    mock_line, problem = record_in_workspace(workspace, result, path, hints)
    if sys.stdout.isatty():
        click.clear()
    stamp = time.strftime("%H:%M:%S")
    echo(style(f"kata watch: {path.name} checked at {stamp}", bold=True) + "  (Ctrl-C stops)")
    echo(render_check(result, style, False, Selection(None, not all_tests), None, hints))
    if mock_line:
        echo(style(mock_line, bold=True))
    if problem:
        warn(f"this check was not recorded: {problem}")

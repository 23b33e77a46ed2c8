"""The practice commands: kata stats (how practice went) and kata next (what to do now)."""

from __future__ import annotations

import time
from dataclasses import asdict
from pathlib import Path

import click

from grader.cli import bank_of, echo, folder_option, json_text, style
from grader.history import History
from grader.practice import ago_text, all_stats, due_text, recommend
from grader.reports import duration_text, render_table


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
        from grader.cli_learner import start

        ctx.invoke(start, kata_id=pick.kata, folder=folder, force=False)
    else:
        echo(f"Start it with `kata start {pick.kata}` (or `kata next --start`).")

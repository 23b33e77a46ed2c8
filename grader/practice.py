"""What to practise next, and how practice went, from the history of checks.

The schedule is Leitner's boxes. Each kata sits in a box from 0 to 5; box b is due for
review ``REVIEW_DAYS[b]`` days after the check that put it there. Replaying a kata's
checks in order:

- a failed check puts it in box 0 (due at once);
- a pass that used hints puts it in box 1 (due tomorrow: try again without them);
- a pass without hints moves it up one box, but only when it was due (or the first
  pass): passing again the same afternoon does not push the review out further.

``recommend`` then picks, in this order, never the kata checked last (unless nothing
else is left): katas tried but never passed, katas never tried (shortest first), katas
whose last check failed or passed only with hints, then katas due for review (most
overdue first); with nothing due, the one due soonest. Time is passed in, never read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from grader.catalog import Kata
from grader.history import PastCheck

DAY_S = 86_400.0
REVIEW_DAYS = (0, 1, 3, 7, 14, 30)  # by box


@dataclass(frozen=True)
class KataStats:
    """One kata's practice, for ``kata stats`` and the schedule."""

    kata: str
    checks: int
    passes: int
    first_pass_s: float | None  # start-to-pass time of the first pass
    best_pass_s: float | None  # the shortest start-to-pass time
    last_at: float | None  # the latest check
    last_passed: bool
    last_hints: int
    hints: int  # the most hints any check of it used
    box: int
    due_at: float | None  # None: never checked
    trend: tuple[float, ...]  # the scores of the last checks, oldest first


@dataclass(frozen=True)
class Recommendation:
    kata: str
    reason: str


def kata_stats(kata_id: str, checks: list[PastCheck], trend_length: int = 5) -> KataStats:
    """Replay one kata's checks (oldest first) through the boxes."""
    box, due_at, first_pass, best_pass = 0, None, None, None
    passes, hints = 0, 0
    for check in checks:
        hints = max(hints, check.hints)
        if not check.passed:
            box, due_at = 0, check.at
            continue
        passes += 1
        if check.since_start_s is not None:
            first_pass = check.since_start_s if first_pass is None else first_pass
            best_pass = min(
                best_pass if best_pass is not None else check.since_start_s, check.since_start_s
            )
        if check.hints:
            box = 1
        elif passes == 1 or check.at >= (due_at or 0.0):
            box = min(box + 1, len(REVIEW_DAYS) - 1)
        else:
            continue  # a pass before the review was due keeps the box and its date
        due_at = check.at + REVIEW_DAYS[box] * DAY_S
    last = checks[-1] if checks else None
    return KataStats(
        kata=kata_id,
        checks=len(checks),
        passes=passes,
        first_pass_s=first_pass,
        best_pass_s=best_pass,
        last_at=last.at if last else None,
        last_passed=bool(last and last.passed),
        last_hints=last.hints if last else 0,
        hints=hints,
        box=box,
        due_at=due_at,
        trend=tuple(check.score for check in checks[-trend_length:]),
    )


def all_stats(katas: Iterable[Kata], checks: list[PastCheck]) -> list[KataStats]:
    """Stats of every kata of the bank, in the bank's order; checks of unknown katas are left out."""
    by_kata: dict[str, list[PastCheck]] = {}
    for check in sorted(checks, key=lambda c: c.at):
        by_kata.setdefault(check.kata, []).append(check)
    return [kata_stats(kata.id, by_kata.get(kata.id, [])) for kata in katas]


def ago_text(seconds: float) -> str:
    days = int(seconds // DAY_S)
    if days >= 2:
        return f"{days} days ago"
    if days == 1:
        return "yesterday"
    return "today"


def due_text(due_at: float, now: float) -> str:
    days = (due_at - now) / DAY_S
    if days <= 0:
        late = int(-days)
        return "due today" if late == 0 else f"due {late} day{'s' * (late > 1)} ago"
    whole = max(1, round(days))
    return f"due in {whole} day{'s' * (whole > 1)}"


def recommend(katas: list[Kata], checks: list[PastCheck], now: float) -> Recommendation | None:
    """The kata to practise now, with the reason, or None for an empty bank."""
    stats = all_stats(katas, checks)
    latest = max(checks, key=lambda c: c.at).kata if checks else None
    order = {kata.id: index for index, kata in enumerate(katas)}
    choices = [s for s in stats if s.kata != latest] or stats
    if not choices:
        return None

    def pick(candidates: list[KataStats], key) -> KataStats | None:
        return min(candidates, key=key) if candidates else None

    tried = pick([s for s in choices if s.checks and not s.passes], lambda s: -(s.last_at or 0.0))
    if tried:
        return Recommendation(
            tried.kata, f"not passed yet (last tried {ago_text(now - (tried.last_at or now))})"
        )
    minutes = {kata.id: kata.minutes for kata in katas}
    fresh = pick([s for s in choices if not s.checks], lambda s: (minutes[s.kata], order[s.kata]))
    if fresh:
        return Recommendation(fresh.kata, "not tried yet")
    slipped = pick(
        [s for s in choices if not s.last_passed or s.last_hints], lambda s: s.last_at or 0.0
    )
    if slipped:
        if not slipped.last_passed:
            why = f"the last check failed ({ago_text(now - (slipped.last_at or now))})"
        else:
            used = slipped.last_hints
            why = f"passed with {used} hint{'s' * (used > 1)}: now without"
        return Recommendation(slipped.kata, why)
    soonest = pick(choices, lambda s: (s.due_at or 0.0, order[s.kata]))
    assert soonest is not None and soonest.due_at is not None and soonest.last_at is not None
    passed = f"last passed {ago_text(now - soonest.last_at)}"
    if soonest.due_at <= now:
        return Recommendation(soonest.kata, f"{passed}, {due_text(soonest.due_at, now)}")
    return Recommendation(
        soonest.kata, f"nothing is due; {passed}, {due_text(soonest.due_at, now)}"
    )

"""Late work: a due date, a penalty rule, and the submission times an LMS exported.

The rule is written as comma-separated parts, e.g. ``10%/day,max=50%,grace=15m``:
``N%/day`` or ``N%/hour`` is taken off for every started day (hour) past the due
date and its grace, ``max=N%`` caps the whole penalty, ``grace=D`` (``30m``,
``2h``, ``1d``) is a time after the due date that costs nothing. The penalty is a
percentage of the kata's score (90 with 20% off is 72). A due date or a time without
a UTC offset is in the grading machine's local time zone (``TZ`` decides).
File modification times are never evidence: only the times the instructor supplies.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path

from grader.errors import KataError
from grader.roster import column, keys_of, match, read_table

RATE = re.compile(r"(\d+(?:\.\d+)?)%/(day|hour)")
CAP = re.compile(r"max=(\d+(?:\.\d+)?)%")
GRACE = re.compile(r"grace=(\d+(?:\.\d+)?)(m|h|d)")
UNITS_S = {"m": 60, "h": 3600, "d": 86400, "hour": 3600, "day": 86400}
PENALTY_EXAMPLE = "e.g. 10%/day,max=50%,grace=15m"


@dataclass(frozen=True)
class LatePolicy:
    """``rate_pct`` off per started ``period_s`` past ``due`` + ``grace_s``, at most ``cap_pct``."""

    due: float  # a POSIX timestamp
    rate_pct: float
    period_s: float
    cap_pct: float = 100.0
    grace_s: float = 0.0

    def penalty_pct(self, submitted_at: float | None) -> float:
        """The percentage taken off a score handed in at ``submitted_at`` (None: not known)."""
        if submitted_at is None:
            return 0.0
        late_s = submitted_at - self.due - self.grace_s
        if late_s <= 0:
            return 0.0
        return min(self.cap_pct, self.rate_pct * math.ceil(late_s / self.period_s))

    def describe(self) -> str:
        unit = "day" if self.period_s == 86400 else "hour"
        due = datetime.fromtimestamp(self.due).astimezone().isoformat(timespec="minutes")
        grace = f", grace {self.grace_s / 60:g} min" if self.grace_s else ""
        return f"due {due}, {self.rate_pct:g}%/{unit}, at most {self.cap_pct:g}%{grace}"


def parse_time(text: str, what: str) -> float:
    """An ISO 8601 time (``2026-12-01T23:59``, with or without an offset) as a timestamp.

    Also Gradescope's ``2026-12-01 23:59:00 -0800``. Without an offset: local time.
    """
    cleaned = text.strip().replace(" UTC", "+00:00")
    cleaned = re.sub(r" ([+-]\d{2}):?(\d{2})$", r"\1:\2", cleaned)  # " -0800" -> "-08:00"
    try:
        when = datetime.fromisoformat(cleaned)
    except ValueError:
        raise KataError(
            f"{what}: '{text}' is not a date and time; write it as 2026-12-01T23:59 "
            "(optionally with an offset such as +01:00 or Z)"
        ) from None
    return when.timestamp()  # a naive time is taken as local time


def parse_penalty(text: str, due: float) -> LatePolicy:
    """``10%/day,max=50%,grace=15m`` as a policy; a mistake is one clear line."""
    rate, cap, grace = None, 100.0, 0.0
    for part in (p.strip() for p in text.split(",")):
        if (found := RATE.fullmatch(part)) and rate is None:
            rate = (float(found[1]), UNITS_S[found[2]])
        elif found := CAP.fullmatch(part):
            cap = float(found[1])
        elif found := GRACE.fullmatch(part):
            grace = float(found[1]) * UNITS_S[found[2]]
        else:
            raise KataError(
                f"--late-penalty: cannot read '{part}' in '{text}'; give a rate like 10%/day "
                f"or 5%/hour, then optionally max=N% and grace=30m ({PENALTY_EXAMPLE})"
            )
    if rate is None:
        raise KataError(f"--late-penalty: '{text}' has no rate like 10%/day ({PENALTY_EXAMPLE})")
    if cap > 100:
        raise KataError(f"--late-penalty: max={cap:g}% is more than 100%")
    return LatePolicy(due, rate[0], rate[1], cap, grace)


def policy_text(policy: LatePolicy) -> str:
    """The policy as stored in the gradebook's settings."""
    return json.dumps(asdict(policy))


def policy_from(stored: str | None) -> LatePolicy | None:
    return LatePolicy(**json.loads(stored)) if stored else None


def updated_policy(
    stored: LatePolicy | None, due: str | None, rule: str | None
) -> LatePolicy | None:
    """The policy after this run's ``--due`` and ``--late-penalty``; either alone keeps the other."""
    if due is None and rule is None:
        return stored
    if stored is None and (due is None or rule is None):
        given, needed = ("--due", "--late-penalty") if due else ("--late-penalty", "--due")
        raise KataError(
            f"{given} needs {needed} the first time (then both are kept in the gradebook)"
        )
    when = parse_time(due, "--due") if due else stored.due
    if rule is None:
        return replace(stored, due=when)
    return parse_penalty(rule, when)


STUDENT_COLUMNS = ("student", "name", "login", "login id", "sis login id", "email", "sid", "user")
NAME_PARTS = ("first name", "last name")  # Gradescope's export splits the name
TIME_COLUMNS = ("submitted_at", "submitted at", "submission time", "submitted", "timestamp")


def read_submission_times(path: Path, students: list[str]) -> tuple[dict[str, float], list[str]]:
    """Each student's submission time from an LMS's CSV; and the rows no student matched.

    A student with several rows (resubmissions) gets the latest: that file is graded.
    """
    header, rows = read_table(path, "--submission-times")
    when_column = column(header, TIME_COLUMNS)
    who_columns = [name for name in header if name.casefold() in STUDENT_COLUMNS + NAME_PARTS]
    if when_column is None or not who_columns:
        raise KataError(
            f"--submission-times {path}: needs a student column ({', '.join(STUDENT_COLUMNS)}, "
            f"or First Name and Last Name) and a time column ({', '.join(TIME_COLUMNS)})"
        )
    people: dict[frozenset[str], float] = {}
    for line, row in enumerate(rows, start=2):
        if not row.get(when_column, "").strip():
            continue  # no submission
        values = [row.get(name, "") for name in who_columns]
        first, last = (row.get(column(header, (part,)) or "", "") for part in NAME_PARTS)
        keys = frozenset(keys_of([*values, f"{first} {last}"]))
        when = parse_time(row[when_column], f"--submission-times {path} line {line}")
        people[keys] = max(when, people.get(keys, when))
    found = match(students, [set(keys) for keys in people])
    times = list(people.values())
    labels = [", ".join(sorted(keys)) for keys in people]
    return {s: times[i] for s, i in found.found.items()}, [
        labels[i] for i in found.unmatched_people
    ]

"""discovery.txt and the end-of-run summary: what was graded from where, what was not, why.

Both are rendered from a ``Discovery`` alone; the CLI only writes and prints
them. Every line passes through ``shown``: names and zip errors are the
students'.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from grader.grading import status_of
from grader.submissions import Discovery, Submission, shown

MAX_LISTED = 5  # other files, ignored entries and notable students named before "..."
RULE = (
    "Rule: in each submission the shallowest gradable copy of a kata file is graded; at one "
    "depth a .py before a .py.txt before a .ipynb, the exact name first, a folder's before "
    "a zip's, then the first by name. Names are read as a person reads them (any case, a "
    "browser's ' (1)', '-' for '_')."
)


def render_discovery(discovery: Discovery, katas: list[str]) -> str:
    """discovery.txt: every student, each kata's status and file, and every decision."""
    width = max(map(len, katas), default=0)
    lines = [RULE, ""]
    for submission in discovery.submissions:
        lines.append(f"{submission.student} ({submission.source})")
        lines += [f"  {kata:<{width}}  {_found(submission, kata)}" for kata in katas]
        lines += [f"  - {note}" for note in submission.notes]
        if submission.others:
            lines.append(f"  - {_others(submission.others, len(submission.others))}")
        lines.append("")
    if discovery.ignored:
        lines.append(f"Not a student (ignored): {', '.join(discovery.ignored)}")
    return "\n".join(shown(line) for line in lines).rstrip() + "\n"


def _found(submission: Submission, kata: str) -> str:
    status = status_of(submission, kata)
    if status.status == "scored":
        return f"graded from {submission.files[kata].origin}"
    if status.status == "rejected":
        return f"rejected: {status.reason}"
    return "missing: no file named like it"


def discovery_summary(discovery: Discovery, katas: list[str], report: Path) -> list[str]:
    """A few lines for the end of ``kata grade``: counts, and the first notable students."""
    statuses = Counter(
        status_of(submission, kata).status for submission in discovery.submissions for kata in katas
    )
    kinds = Counter(submission.source for submission in discovery.submissions)
    lines = [
        f"Found {len(discovery.submissions)} students ("
        + ", ".join(
            f"{n} from a {kind.replace(' and ', ' and a ')}" for kind, n in sorted(kinds.items())
        )
        + f"): {statuses['scored']} kata files graded, {statuses['rejected']} rejected, "
        f"{statuses['missing']} missing"
    ]
    notable = [(s.student, _notable(s, katas)) for s in discovery.submissions]
    notable = [(student, said) for student, said in notable if said]
    for student, said in notable[:MAX_LISTED]:
        more = f" (+{len(said) - 1} more)" if len(said) > 1 else ""
        lines.append(f"  {student}: {said[0]}{more}")
    if len(notable) > MAX_LISTED:
        lines.append(f"  ... and {len(notable) - MAX_LISTED} more students with notes")
    if discovery.ignored:
        lines.append(f"  not a student, ignored: {_listed(discovery.ignored)}")
    lines.append(f"Every decision, per student: {report}")
    return [shown(line) for line in lines]


def _notable(submission: Submission, katas: list[str]) -> list[str]:
    """What an instructor should hear about: rejections, decisions, files that graded nothing."""
    said = [
        f"{kata} rejected: {submission.rejected[kata]}"
        for kata in katas
        if kata in submission.rejected
    ]
    said += submission.notes
    if not submission.files and submission.others:
        said.append(_others(submission.others, MAX_LISTED))
    return said


def _others(others: list[str], limit: int) -> str:
    return f"{len(others)} other file(s), no kata's: {_listed(others, limit)}"


def _listed(items: list[str], limit: int = MAX_LISTED) -> str:
    return ", ".join(items[:limit]) + (", ..." if len(items) > limit else "")

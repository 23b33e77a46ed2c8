"""Text renderings of verdicts for people; JSON comes from ``CheckResult.to_json``.

Whatever a learner's file can influence (its name, what it printed, its
exception messages, test messages quoting its values) goes through
``printable`` before it reaches a terminal, so escape sequences and carriage
returns show as text instead of erasing lines or drawing a fake score.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from grader.plots import figure_text
from grader.results import CheckResult, NamedMistake, Speed, TestResult, split_hint
from grader.selection import Selection

Style = Callable[..., str]
CATEGORY_ORDER = ("values", "shapes", "gradients", "stability", "contract")
ERROR_TITLES = {
    "syntax": "Syntax error",
    "encoding": "Unreadable file",
    "forbidden_import": "Forbidden import",
    "load": "Your file could not be loaded",
    "missing_definition": "Missing definition",
    "internal": "The grader failed (not your fault; please report it)",
}


# C0 and C1 controls, DEL, and the Unicode characters that move or reorder later
# text (line and paragraph separators, bidirectional overrides and isolates).
CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str, lines: bool = False) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\r``).

    ``lines=True`` keeps newlines and tabs, for multi-line text such as what the
    learner's code printed; otherwise the text stays on one line.
    """

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        if lines and char in "\n\t":
            return char
        code = ord(char)
        return NAMED_ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")

    return CONTROLS.sub(escape, text)


def plain(text: str, **_: object) -> str:
    return text


def render_table(rows: list[tuple[str, ...]], style: Style = plain) -> str:
    """Left-aligned columns two spaces apart; the first row is the header, in bold."""
    rows = [tuple(printable(cell) for cell in row) for row in rows]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        line = "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        lines.append(style(line.rstrip(), bold=True) if index == 0 else line.rstrip())
    return "\n".join(lines)


def duration_text(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def speed_text(speed: Speed | None, all_passed: bool = False) -> str:
    if speed is None and all_passed:
        return "not measured (this kata has no benchmark)"
    if speed is None:
        return "not measured (it is measured once every test passes)"
    if speed.capped or speed.ratio is None:
        return f"{speed.note or 'capped'} (reference {speed.reference_s * 1000:.1f} ms)"
    verdict = (
        "faster than"
        if speed.ratio < 0.95
        else ("about as fast as" if speed.ratio <= 1.3 else "slower than")
    )
    return (
        f"{speed.ratio:.2f}x the reference's time, {verdict} it "
        f"({speed.learner_s * 1000:.1f} ms vs {speed.reference_s * 1000:.1f} ms)"
    )


def test_label(name: str, title: str) -> str:
    params = name[name.index("[") :] if "[" in name else ""
    return printable(f"{title} {params}".strip())


def _group_by_title(tests: list[TestResult]) -> list[tuple[str, list[TestResult]]]:
    """Parametrised cases of one test share a title: show them as one line when all pass."""
    groups: dict[str, list[TestResult]] = {}
    for test in tests:
        groups.setdefault(test.title, []).append(test)
    return list(groups.items())


Sections = list[tuple[str, list[tuple[str, list[TestResult]]]]]


def _sections(tests: list[TestResult]) -> Sections:
    """Tests in report order: by category, then by title (parametrised cases together)."""
    by_category: dict[str, list[TestResult]] = {}
    for test in tests:
        by_category.setdefault(test.category, []).append(test)
    ordered = [c for c in CATEGORY_ORDER if c in by_category]
    ordered += sorted(set(by_category) - set(CATEGORY_ORDER))
    return [(category, _group_by_title(by_category[category])) for category in ordered]


class _Hints:
    """Numbers the distinct named mistakes of a report, so each is spelled out once.

    The report ends with them ("Mistakes:"), each once with its id and how many
    failing tests it explains. With fewer than two named failures the messages are
    shown as the suite wrote them.
    """

    def __init__(self, failing: list[TestResult]) -> None:
        self.counts = Counter(
            mistake for test in failing if (mistake := self.mistake_of(test)) is not None
        )
        self.numbers = {mistake: index for index, mistake in enumerate(self.counts, 1)}
        self.shown: set[NamedMistake] = set()

    @staticmethod
    def mistake_of(test: TestResult) -> NamedMistake | None:
        """The test's named mistake; for results without one, the one its message ends with."""
        if test.mistake is not None:
            return test.mistake
        hint = split_hint(test.message)[1]
        return NamedMistake(None, hint) if hint is not None else None

    @property
    def summarised(self) -> bool:
        return sum(self.counts.values()) >= 2

    def message(self, test: TestResult) -> str:
        head, hint = split_hint(test.message)
        mistake = self.mistake_of(test)
        if hint is None or mistake is None or not self.summarised:
            return printable(test.message)
        number = self.numbers[mistake]
        if mistake in self.shown:
            return printable(f"{head} (likely mistake {number}, as above)")
        self.shown.add(mistake)
        return printable(f"{head} Likely mistake {number}: {hint}")

    def summary(self, style: Style) -> list[str]:
        if not self.counts:
            return []
        lines = ["", style("Mistakes:", bold=True)]
        for mistake, number in self.numbers.items():
            count = self.counts[mistake]
            tests = "1 failing test" if count == 1 else f"{count} failing tests"
            named = f" [{mistake.id}]" if mistake.id else ""
            lines.append(printable(f"  {number}. {mistake.text}{named} ({tests})"))
        return lines


def shown_path(file: str) -> str:
    """A checked file's path as a person reads it: relative when under this folder."""
    try:
        relative = Path(file).relative_to(Path.cwd())
    except ValueError:
        return file
    return str(relative)


def render_check(
    result: CheckResult,
    style: Style = plain,
    timing: bool = True,
    selection: Selection | None = None,
    suite_size: int | None = None,
    hints_used: int = 0,
) -> str:
    """The verdict as a person reads it.

    ``selection`` hides some tests (every test still counts in the score);
    ``suite_size``, the number of tests in the kata's suite, lets a rejected
    file's report say how many tests did not run.
    """
    selection = selection or Selection()
    header = style(printable(result.kata), bold=True)
    lines = [f"{header}  {printable(shown_path(result.file))}  (seed {result.seed})", ""]
    if result.error:
        title = ERROR_TITLES.get(result.error.kind, result.error.kind)
        lines += [style(f"✗ {printable(title)}", fg="red", bold=True)]
        lines += [f"  {printable(result.error.message)}", ""]
    shown = [test for test in result.tests if selection.shows(test)]
    if selection.active and result.tests:
        lines += [f"Showing {selection.describe()}: {len(shown)} of {result.total}.", ""]
    sections = _sections(shown)
    hints = _Hints(
        [test for _, groups in sections for _, cases in groups for test in cases if not test.passed]
    )
    for category, groups in sections:
        lines.append(style(printable(category), bold=True))
        for title, cases in groups:
            if all(test.passed for test in cases):
                count = f" ({len(cases)} cases)" if len(cases) > 1 else ""
                lines.append("  " + style("✓", fg="green") + f" {printable(title)}{count}")
                continue
            for test in cases:
                if test.passed:
                    continue
                mark = "⏱" if test.outcome == "timeout" else "✗"
                lines.append("  " + style(mark, fg="red") + f" {test_label(test.name, test.title)}")
                lines.append(f"      {hints.message(test)}")
        lines.append("")
    for figure in result.figures:
        lines += [printable(figure_text(figure), lines=True), ""]
    if result.output:
        excerpt = printable(result.output.strip(), lines=True).split("\n")[:5]
        lines += [style("Your code printed:", bold=True)] + [f"  {line}" for line in excerpt] + [""]
    colour = "green" if result.all_passed else ("yellow" if result.score > 0 else "red")
    with_hints = f", {hints_text(hints_used)}" if hints_used else ""
    lines.append(
        style(f"Score: {result.score:g}/100{with_hints}", fg=colour, bold=True)
        + f"  ({counts_text(result, suite_size)})"
    )
    if result.elapsed_since_start_s is not None:
        lines.append(f"Time since start: {duration_text(result.elapsed_since_start_s)}")
    if timing:
        lines.append(f"Speed: {speed_text(result.speed, result.all_passed)}")
    if result.flags:
        lines.append(f"Flags: {printable(', '.join(result.flags))}")
    return "\n".join(lines + hints.summary(style))


def hints_text(count: int) -> str:
    """``1 hint``, ``2 hints``: shown beside a score ("100, 1 hint")."""
    return f"{count} hint{'s' * (count != 1)}"


def counts_text(result: CheckResult, suite_size: int | None) -> str:
    """How many tests passed; for a file that ran none, why, and how many the kata has."""
    if result.tests or result.error is None:
        return f"{result.passed} of {result.total} tests passed"
    what = "the check failed" if result.error.kind == "internal" else "the file was rejected"
    if suite_size is None:
        return f"{what}: no test ran"
    return f"{what}: none of the kata's {suite_size} tests ran"


def clock_text(timestamp: float, form: str = "%H:%M:%S") -> str:
    """Local time; "?" for a stored timestamp no calendar reaches (a damaged state or history)."""
    try:
        return time.strftime(form, time.localtime(timestamp))
    except (OverflowError, OSError, ValueError):
        return "?"


def time_left_text(seconds: float) -> str:
    if seconds >= 0:
        return f"{duration_text(seconds)} left"
    return f"the deadline passed {duration_text(-seconds)} ago"


def render_mock_plan(
    mock_id: str, folder: str, katas: list, minutes: float, deadline: float
) -> str:
    lines = [f"Mock interview {mock_id}: {len(katas)} kata(s), {minutes:g} minutes", ""]
    for kata in katas:
        lines.append(f"  {kata.id:16s} {kata.title} ({kata.difficulty}, ~{kata.minutes} min)")
    lines += [
        "",
        f"Deadline: {clock_text(deadline)}. Files are graded as they stand then; later saves are late.",
        f"Work in {printable(folder)}: each KATA.py has its prompt beside it in KATA.md.",
        "Check any time with `kata check KATA`, see `kata mock status`, end with `kata mock finish`.",
    ]
    return "\n".join(lines)


def render_mock_status(mock) -> str:
    lines = [printable(f"Mock {mock.data['id']}: {time_left_text(mock.time_left())}")]
    for kata_id in mock.katas:
        checks = mock.checks_of(kata_id)
        if checks:
            last = checks[-1]
            state = f"last check {last['passed']}/{last['total']} passed" + (
                " (late)" if last["late"] else ""
            )
        else:
            state = "not checked yet"
        lines.append(printable(f"  {kata_id:16s} {state}, {len(checks)} check(s)"))
    if mock.finished:
        lines.append("Finished: `kata mock finish` shows the report again.")
    return "\n".join(lines)


def render_mock_report(report, style: Style = plain) -> str:
    ended = "finished early" if report.finished_early else "graded at the deadline"
    lines = [style(printable(f"Mock {report.id}: {ended}"), bold=True), ""]
    rows = [("KATA", "SCORE", "FIRST PASS", "CHECKS", "SPEED", "NOTE")]
    for kata in report.katas:
        score = f"{kata.score:g}" + (
            f" (late: {kata.late_score:g})" if kata.late_score is not None else ""
        )
        score += f", {hints_text(kata.hints)}" if kata.hints else ""
        first = duration_text(kata.time_to_pass_s) if kata.time_to_pass_s is not None else "-"
        speed = f"{kata.speed_ratio:.2f}x" if kata.speed_ratio is not None else "-"
        rows.append((kata.kata, score, first, str(kata.checks), speed, kata.note))
    lines.append(render_table(rows, style))
    lines += ["", style(f"Overall: {report.overall:g}/100", bold=True)]
    comparison = report.comparison
    if comparison.previous_mocks:
        lines.append(
            f"Compared with your {comparison.previous_mocks} previous mock(s): best {comparison.best:g}, "
            f"last {comparison.last:g}, trend: {comparison.trend}"
        )
    elif comparison.trend == "unknown":
        lines.append("Not compared with earlier mocks: the history could not be used.")
    else:
        lines.append("Your first mock: later ones will be compared with it (`kata history`).")
    return "\n".join(lines)


def render_history(mocks: list, bests: list) -> str:
    if not mocks:
        return "No finished mocks yet: start one with `kata mock start`."
    lines = ["FINISHED             OVERALL  MINUTES  KATAS"]
    for mock in mocks:
        katas = printable(
            ", ".join(
                f"{k} {s:g}" + (f" ({hints_text(mock.hints[k])})" if mock.hints.get(k) else "")
                for k, s in sorted(mock.katas.items())
            )
        )
        when = clock_text(mock.finished_at, "%Y-%m-%d %H:%M")
        minutes = f"{mock.minutes:g}" if mock.minutes is not None else "-"
        lines.append(f"{when:20s} {mock.overall:7g}  {minutes:>7s}  {katas}")
    lines += ["", "KATA              BEST  FASTEST PASS  ATTEMPTS"]
    for best in bests:
        fastest = (
            duration_text(best.best_time_to_pass_s) if best.best_time_to_pass_s is not None else "-"
        )
        lines.append(
            printable(f"{best.kata:16s} {best.best_score:5g}  {fastest:12s}  {best.attempts}")
        )
    return "\n".join(lines)

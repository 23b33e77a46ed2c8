"""Text renderings of verdicts for people; JSON comes from ``CheckResult.to_json``."""

from __future__ import annotations

import time
from collections.abc import Callable

from grader.results import CheckResult, Speed

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


def plain(text: str, **_: object) -> str:
    return text


def render_table(rows: list[tuple[str, ...]], style: Style = plain) -> str:
    """Left-aligned columns two spaces apart; the first row is the header, in bold."""
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


def speed_text(speed: Speed | None) -> str:
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
    return f"{title} {params}".strip()


def _group_by_title(tests: list) -> list[tuple[str, list]]:
    """Parametrised cases of one test share a title: show them as one line when all pass."""
    groups: dict[str, list] = {}
    for test in tests:
        groups.setdefault(test.title, []).append(test)
    return list(groups.items())


def render_check(result: CheckResult, style: Style = plain, timing: bool = True) -> str:
    lines = [style(f"{result.kata}", bold=True) + f"  {result.file}  (seed {result.seed})", ""]
    if result.error:
        title = ERROR_TITLES.get(result.error.kind, result.error.kind)
        lines += [style(f"✗ {title}", fg="red", bold=True), f"  {result.error.message}", ""]
    by_category: dict[str, list] = {}
    for test in result.tests:
        by_category.setdefault(test.category, []).append(test)
    ordered = [c for c in CATEGORY_ORDER if c in by_category] + sorted(
        set(by_category) - set(CATEGORY_ORDER)
    )
    for category in ordered:
        lines.append(style(category, bold=True))
        for title, cases in _group_by_title(by_category[category]):
            if all(test.passed for test in cases):
                count = f" ({len(cases)} cases)" if len(cases) > 1 else ""
                lines.append("  " + style("✓", fg="green") + f" {title}{count}")
                continue
            for test in cases:
                if test.passed:
                    continue
                mark = "⏱" if test.outcome == "timeout" else "✗"
                lines.append("  " + style(mark, fg="red") + f" {test_label(test.name, test.title)}")
                lines.append(f"      {test.message}")
        lines.append("")
    if result.output:
        excerpt = result.output.strip().splitlines()[:5]
        lines += [style("Your code printed:", bold=True)] + [f"  {line}" for line in excerpt] + [""]
    colour = "green" if result.all_passed else ("yellow" if result.score > 0 else "red")
    lines.append(
        style(f"Score: {result.score:g}/100", fg=colour, bold=True)
        + f"  ({result.passed} of {result.total} tests passed)"
    )
    if result.elapsed_since_start_s is not None:
        lines.append(f"Time since start: {duration_text(result.elapsed_since_start_s)}")
    if timing:
        lines.append(f"Speed: {speed_text(result.speed)}")
    if result.flags:
        lines.append(f"Flags: {', '.join(result.flags)}")
    return "\n".join(lines)


def clock_text(timestamp: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(timestamp))


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
        f"Work in {folder}: each KATA.py has its prompt beside it in KATA.md.",
        "Check any time with `kata check KATA`, see `kata mock status`, end with `kata mock finish`.",
    ]
    return "\n".join(lines)


def render_mock_status(mock) -> str:
    lines = [f"Mock {mock.data['id']}: {time_left_text(mock.time_left())}"]
    for kata_id in mock.katas:
        checks = mock.checks_of(kata_id)
        if checks:
            last = checks[-1]
            state = f"last check {last['passed']}/{last['total']} passed" + (
                " (late)" if last["late"] else ""
            )
        else:
            state = "not checked yet"
        lines.append(f"  {kata_id:16s} {state}, {len(checks)} check(s)")
    if mock.finished:
        lines.append("Finished: `kata mock finish` shows the report again.")
    return "\n".join(lines)


def render_mock_report(report, style: Style = plain) -> str:
    ended = "finished early" if report.finished_early else "graded at the deadline"
    lines = [style(f"Mock {report.id}: {ended}", bold=True), ""]
    rows = [("KATA", "SCORE", "FIRST PASS", "CHECKS", "SPEED", "NOTE")]
    for kata in report.katas:
        score = f"{kata.score:g}" + (
            f" (late: {kata.late_score:g})" if kata.late_score is not None else ""
        )
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
    else:
        lines.append("Your first mock: later ones will be compared with it (`kata history`).")
    return "\n".join(lines)


def render_history(mocks: list, bests: list) -> str:
    if not mocks:
        return "No finished mocks yet: start one with `kata mock start`."
    lines = ["FINISHED             OVERALL  MINUTES  KATAS"]
    for mock in mocks:
        katas = ", ".join(f"{k} {s:g}" for k, s in sorted(mock.katas.items()))
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(mock.finished_at))
        lines.append(f"{when:20s} {mock.overall:7g}  {mock.minutes:7g}  {katas}")
    lines += ["", "KATA              BEST  FASTEST PASS  ATTEMPTS"]
    for best in bests:
        fastest = (
            duration_text(best.best_time_to_pass_s) if best.best_time_to_pass_s is not None else "-"
        )
        lines.append(f"{best.kata:16s} {best.best_score:5g}  {fastest:12s}  {best.attempts}")
    return "\n".join(lines)

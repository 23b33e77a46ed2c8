"""Text renderings of verdicts for people; JSON comes from ``CheckResult.to_json``."""

from __future__ import annotations

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

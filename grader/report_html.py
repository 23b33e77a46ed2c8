"""``report.html``: the class report as one static page an instructor opens in a browser.

Everything is inline (styles, SVG histograms, a few lines of script that sort
tables), so the page works from a USB stick, an e-mail attachment or a file
share, and makes no request of any kind. Every string a student controls (their
name, their file's messages) is HTML-escaped; links to feedback use the same
escaped file names as the exports. The first screen answers "what did my class
get wrong": per kata, its top mistakes with counts.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from grader.class_report import BINS, ClassReport, FileNote, KataReport, MistakeCount
from grader.similarity import SimilarPair
from grader.submissions import file_name_of

FILE = "report.html"
TOP = 3  # mistakes per kata on the first screen

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 72rem;
       padding: 1rem 1.5rem; color: #1b1b1b; }
h1 { margin-bottom: .2rem; } h2 { border-bottom: 2px solid #ddd; margin-top: 2.5rem; }
.muted { color: #666; }
.cards { display: grid; gap: .8rem; grid-template-columns: repeat(auto-fill, minmax(21rem, 1fr)); }
.card { border: 1px solid #ccc; border-radius: 6px; padding: .6rem .9rem; }
.card h3 { margin: 0 0 .3rem; font-size: 1.05rem; }
.card ol { margin: .3rem 0 0; padding-left: 1.3rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; width: 100%; }
th, td { border-bottom: 1px solid #e3e3e3; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f4f4f4; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \\2195"; color: #aaa; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .9em; }
details summary { cursor: pointer; }
svg text { font: 11px system-ui, sans-serif; fill: #333; }
svg .bar { fill: #4a78b5; } svg .full { fill: #2e8b57; }
.none { color: #666; font-style: italic; }
@media print {
  body { max-width: none; font-size: 11pt; padding: 0; }
  a { color: inherit; text-decoration: none; }
  h2 { break-before: page; } h2.first { break-before: auto; }
  table, .card, svg { break-inside: avoid; }
  details > *:not(summary) { display: block; }
  table.sortable th::after { content: ""; }
  nav { display: none; }
}
"""

# Click a header to sort by that column; click again to reverse. Numbers sort as numbers.
SCRIPT = """
document.querySelectorAll("table.sortable th").forEach((th, _) => {
  th.addEventListener("click", () => {
    const table = th.closest("table"), body = table.tBodies[0];
    const col = Array.from(th.parentNode.children).indexOf(th);
    const down = th.dataset.order !== "asc";
    th.dataset.order = down ? "asc" : "desc";
    const key = row => {
      const cell = row.children[col], text = cell ? (cell.dataset.sort ?? cell.textContent) : "";
      const n = parseFloat(text);
      return isNaN(n) ? text.trim().toLowerCase() : n;
    };
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (down ? 1 : -1);
    });
    rows.forEach(row => body.appendChild(row));
  });
});
"""


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def feedback_link(student: str) -> str:
    href = f"feedback/{quote(file_name_of(student))}.md"
    return f'<a href="{e(href)}">{e(student)}</a>'


def anchor(kata: str) -> str:
    return "kata-" + quote(kata, safe="")


def histogram_svg(kata: KataReport, width: int = 330, height: int = 120) -> str:
    """Students per score bin as bars; the last bar (100) in green."""
    top = max(kata.histogram) or 1
    bar = width / BINS
    parts = [
        f'<svg role="img" width="{width}" height="{height + 30}" '
        f'viewBox="0 0 {width} {height + 30}" aria-label="score histogram of {e(kata.kata)}">'
    ]
    for i, count in enumerate(kata.histogram):
        h = round(height * count / top)
        label = "100" if i == BINS - 1 else f"{i * 10}"
        cls = "full" if i == BINS - 1 else "bar"
        x = round(i * bar + 2, 1)
        parts.append(
            f'<rect class="{cls}" x="{x}" y="{height - h + 12}" width="{round(bar - 4, 1)}" '
            f'height="{h}"><title>{label}: {count} student(s)</title></rect>'
        )
        if count:
            parts.append(f'<text x="{x}" y="{height - h + 10}">{count}</text>')
        parts.append(f'<text x="{x}" y="{height + 26}">{label}</text>')
    parts.append("</svg>")
    return "".join(parts)


def students_list(students: tuple[str, ...]) -> str:
    return ", ".join(feedback_link(s) for s in students)


def count_cells(students: tuple[str, ...], css: str = "n") -> str:
    """How many students, then the students themselves behind a <details>."""
    return (
        f'<td class="{css}">{len(students)}</td>'
        f"<td><details><summary>{len(students)} student(s)</summary>"
        f"{students_list(students)}</details></td>"
    )


def mistake_cell(count: MistakeCount) -> str:
    name = f"<code>{e(count.mistake.id)}</code><br>" if count.mistake.id else ""
    return f"{name}{e(count.mistake.text)}"


def table(css: str, head: str, rows: list[str], empty: str, attrs: str = "") -> str:
    """A sortable table, or ``empty`` in italics when there are no rows."""
    if not rows:
        return f'<p class="none">{empty}</p>'
    return (
        f'<table class="sortable {css}"{attrs}><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def mistakes_table(kata: KataReport) -> str:
    rows = [
        f'<tr data-mistake="{e(m.mistake.key)}"><td>{mistake_cell(m)}</td>'
        f"{count_cells(m.students, 'n count')}</tr>"
        for m in kata.mistakes
    ]
    head = '<th>Mistake</th><th class="n">Students</th><th>Who</th>'
    return table("mistakes", head, rows, "No named mistake.", f' data-kata="{e(kata.kata)}"')


def tests_table(kata: KataReport) -> str:
    rows = [
        f"<tr><td>{e(t.title)}<br><code class='muted'>{e(t.name)}</code></td>"
        f"{count_cells(t.students)}</tr>"
        for t in kata.failed_tests
    ]
    head = '<th>Test</th><th class="n">Failed by</th><th>Who</th>'
    return table("tests", head, rows, "Every test passed for every graded file.")


def notes_table(notes: tuple[FileNote, ...], what: str, css: str) -> str:
    rows = [f"<tr><td>{feedback_link(n.student)}</td><td>{e(n.note)}</td></tr>" for n in notes]
    return table(css, "<th>Student</th><th>Why</th>", rows, f"No {what}.")


def copies_table(pairs: tuple[SimilarPair, ...], with_kata: bool = False) -> str:
    rows = [
        "<tr>"
        + (f"<td>{e(p.kata)}</td>" if with_kata else "")
        + f"<td>{feedback_link(p.students[0])}</td><td>{feedback_link(p.students[1])}</td>"
        f'<td class="n">{p.score:.2f}</td><td>{"same file" if p.exact else "near-copy"}</td></tr>'
        for p in pairs
    ]
    head = (
        "<th>Kata</th>" if with_kata else ""
    ) + '<th>Student</th><th>Student</th><th class="n">Similarity</th><th>Kind</th>'
    return table("copies", head, rows, "No copies found.")


def summary_card(kata: KataReport) -> str:
    top = kata.mistakes[:TOP]
    listed = (
        "<ol>"
        + "".join(
            f"<li><strong>{len(m.students)}</strong> &times; {mistake_cell(m)}</li>" for m in top
        )
        + "</ol>"
        if top
        else '<p class="none">No named mistake.</p>'
    )
    more = (
        f'<p class="muted">and {len(kata.mistakes) - TOP} more</p>'
        if len(kata.mistakes) > TOP
        else ""
    )
    copies = f", {len(kata.copies)} copied pair(s)" if kata.copies else ""
    return (
        f'<div class="card"><h3><a href="#{anchor(kata.kata)}">{e(kata.kata)}</a></h3>'
        f'<div class="muted">mean {kata.mean:g}, full marks {kata.full_marks}/{len(kata.scores)}, '
        f"{len(kata.missing)} missing{copies}</div>{listed}{more}</div>"
    )


def kata_section(kata: KataReport) -> str:
    return (
        f'<h2 id="{anchor(kata.kata)}">{e(kata.kata)}</h2>'
        f"<p>Mean {kata.mean:g}; full marks: <strong>{kata.full_marks}</strong> of "
        f"{len(kata.scores)} students.</p>"
        f"{histogram_svg(kata)}"
        f"<h3>Named mistakes</h3>{mistakes_table(kata)}"
        f"<h3>Most-failed tests</h3>{tests_table(kata)}"
        f"<h3>Slow files (speed ratio)</h3>{notes_table(kata.slow, 'slow file', 'slow')}"
        f"<h3>Flagged files</h3>{notes_table(kata.flagged, 'flagged file', 'flagged')}"
        f"<h3>Rejected files</h3>{notes_table(kata.rejected, 'rejected file', 'rejected')}"
        "<h3>Missing files</h3>"
        + (
            f"<p class='missing'>{students_list(kata.missing)}</p>"
            if kata.missing
            else '<p class="none">None missing.</p>'
        )
        + f"<h3>Copies</h3>{copies_table(kata.copies)}"
    )


def students_table(report: ClassReport) -> str:
    katas = [k.kata for k in report.katas]
    head = "".join(f'<th class="n">{e(k)}</th>' for k in katas)
    rows = "".join(
        f"<tr><td>{feedback_link(g.student)}</td><td class='n'>{g.total:g}</td>"
        + "".join(f'<td class="n">{g.katas[k].final:g}</td>' for k in katas)
        + f'<td class="n">{len(g.flags)}</td></tr>'
        for g in report.grades
    )
    return (
        '<table class="sortable students"><thead><tr><th>Student</th><th class="n">Total</th>'
        f'{head}<th class="n">Flags</th></tr></thead><tbody>{rows}</tbody></table>'
    )


def report_html(report: ClassReport, title: str = "Class report") -> str:
    """The whole page."""
    made = datetime.fromtimestamp(report.made_at).strftime("%Y-%m-%d %H:%M")
    copies = tuple(pair for kata in report.katas for pair in kata.copies)
    nav = " &middot; ".join(f'<a href="#{anchor(k.kata)}">{e(k.kata)}</a>' for k in report.katas)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>"
        f"<h1>{e(title)}</h1>"
        f'<p class="muted">{len(report.grades)} students, {len(report.katas)} katas; '
        f"made {made} from the gradebook.</p>"
        f"<nav>{nav} &middot; <a href='#copies'>copies</a> &middot; "
        "<a href='#students'>students</a></nav>"
        '<h2 class="first" id="wrong">What the class got wrong</h2>'
        f'<div class="cards">{"".join(summary_card(k) for k in report.katas)}</div>'
        + "".join(kata_section(k) for k in report.katas)
        + f'<h2 id="copies">Copies across the class</h2>{copies_table(copies, with_kata=True)}'
        + f'<h2 id="students">Students</h2>{students_table(report)}'
        + f"<script>{SCRIPT}</script></body></html>\n"
    )


def write_report(report: ClassReport, out: Path) -> Path:
    """Write ``out/report.html``; returns its path."""
    target = out / FILE
    target.write_text(report_html(report), encoding="utf-8")
    return target

"""Figures: a suite's pictures reach the report as text, or a PNG when matplotlib is there."""

from __future__ import annotations

import importlib.util

from click.testing import CliRunner

from grader.catalog import open_bank
from grader.cli import main
from grader.engine import check
from grader.plots import curves_text, regions_text
from grader.results import Figure
from tests.test_seed_sweep import write_kata

DRAWING_SUITE = '''
import numpy as np
import pytest

from grader.results import Figure
from grader.suite import expect_close


@pytest.mark.values
def test_double(impl, figures):
    """double doubles every entry"""
    x = np.arange(4.0)
    got = impl.double(x)
    figures.append(Figure("curves", "double per entry", {"yours": list(map(float, got)), "wanted": [0.0, 2.0, 4.0, 6.0]}))
    figures.append(Figure("regions", "sign map", grid=[[0, 1], [1, 0]]))
    expect_close(got, 2 * x, call="double(arange(4))")
'''


def test_a_suites_figures_are_drawn_in_the_report_and_never_scored(tmp_path):
    write_kata(tmp_path, "drawn", DRAWING_SUITE, "def double(x):\n    return x + 1\n", budget_s=20)
    kata = open_bank(tmp_path).get("drawn")
    result = check(kata, tmp_path / "solutions" / "drawn.py", seed=1, timing=False)
    assert result.score == 0.0  # wrong values: the figures change nothing
    curves, regions = result.figures
    assert curves.series["yours"] == [1.0, 2.0, 3.0, 4.0] and regions.grid == [[0, 1], [1, 0]]
    runner = CliRunner()
    args = [
        "--bank",
        str(tmp_path),
        "check",
        "drawn",
        "--file",
        str(tmp_path / "solutions" / "drawn.py"),
    ]
    shown = runner.invoke(main, [*args, "--no-timing"]).output
    assert "double per entry" in shown and "* yours  o wanted" in shown
    assert "sign map ('.' class 0, '#' class 1)" in shown and "y=1 .#" in shown
    png = tmp_path / "figures.png"
    written = runner.invoke(main, [*args, "--no-timing", "--plot", str(png)])
    if importlib.util.find_spec("matplotlib") is None:
        assert written.exit_code == 2
        assert 'needs matplotlib: pip install "kata[plots]"' in written.output
    else:
        assert png.read_bytes().startswith(b"\\x89PNG")


def test_a_flat_loss_is_a_flat_line_and_the_falling_one_falls():
    flat = [0.69] * 100
    falling = [0.69 * 0.95**epoch for epoch in range(100)]
    chart = curves_text(
        Figure("curves", "loss", {"yours": flat, "reference": falling}), width=20, height=5
    )
    rows = chart.splitlines()[1:6]
    assert rows[0].endswith("@" + "*" * 19) or rows[0].count("*") >= 19
    assert rows[-1].rstrip().endswith("o")
    assert "0.69" in rows[0]


def test_regions_put_y_equal_one_on_top():
    text = regions_text(Figure("regions", "xor", grid=[[0, 1], [1, 0]]))
    assert text.splitlines()[1] == "y=1 .#" and text.splitlines()[2] == "y=0 #."

"""Figures a suite attaches to a check, drawn as text, or as a PNG with matplotlib.

The text forms are small on purpose: a curve chart in a box of characters, enough to
see "my loss plateaus at 0.69" at a glance, and a map of the class predicted over the
unit square. They use plain ASCII so they survive any terminal, log or SSH session.
matplotlib is an optional extra (``pip install "kata[plots]"``): only ``--plot`` needs it.
"""

from __future__ import annotations

import math
from pathlib import Path

from grader.errors import KataError
from grader.results import Figure

MARKS = "*o+x#"  # one per series, in order: the learner's first
REGION_MARKS = ".#o+x"  # one per class


def _column_values(values: list[float], width: int) -> list[float | None]:
    """The series resampled to ``width`` columns (the last value of each column's span)."""
    if not values:
        return [None] * width
    return [
        values[min(len(values) - 1, (col + 1) * len(values) // width - 1)] for col in range(width)
    ]


def curves_text(figure: Figure, width: int = 56, height: int = 10) -> str:
    """Every series on one chart; the y axis spans their finite values."""
    finite = [v for values in figure.series.values() for v in values if math.isfinite(v)]
    if not finite:
        return f"{figure.title}: no finite values to draw"
    low, high = min(finite), max(finite)
    span = (high - low) or 1.0
    rows = [[" "] * width for _ in range(height)]
    for mark, values in zip(MARKS, figure.series.values(), strict=False):
        for col, value in enumerate(_column_values(values, width)):
            if value is not None and math.isfinite(value):
                row = round((high - value) / span * (height - 1))
                rows[row][col] = mark if rows[row][col] in (" ", mark) else "@"
    labels = [f"{high:8.3g} |", *(["         |"] * (height - 2)), f"{low:8.3g} |"]
    longest = max((len(values) for values in figure.series.values()), default=0)
    lines = [figure.title]
    lines += [label + "".join(row) for label, row in zip(labels, rows, strict=True)]
    lines.append("         +" + "-" * width)
    lines.append(f"          1{'epochs'.center(width - 2 - len(str(longest)))}{longest}")
    legend = "  ".join(f"{mark} {name}" for mark, name in zip(MARKS, figure.series, strict=False))
    return "\n".join([*lines, f"          {legend}  (@ where they meet)"])


def regions_text(figure: Figure) -> str:
    """The class predicted on each cell, one character per cell, y = 1 at the top."""
    classes = sorted({label for row in figure.grid for label in row})
    legend = ", ".join(f"'{REGION_MARKS[c % len(REGION_MARKS)]}' class {c}" for c in classes)
    lines = [f"{figure.title} ({legend})"]
    lines += [
        ("y=1 " if index == 0 else "y=0 " if index == len(figure.grid) - 1 else "    ")
        + "".join(REGION_MARKS[label % len(REGION_MARKS)] for label in row)
        for index, row in enumerate(figure.grid)
    ]
    width = len(figure.grid[0]) if figure.grid else 0
    lines.append("    x=0" + " " * max(0, width - 6) + "x=1")
    return "\n".join(lines)


def figure_text(figure: Figure) -> str:
    return curves_text(figure) if figure.kind == "curves" else regions_text(figure)


def save_png(figures: tuple[Figure, ...], path: Path) -> None:
    """All figures side by side in one PNG; a missing matplotlib is the user's to install."""
    try:
        import matplotlib

        matplotlib.use("Agg")  # no display needed
        import matplotlib.pyplot as plt
    except ImportError:
        raise KataError(
            'writing a PNG needs matplotlib: pip install "kata[plots]" (or pip install matplotlib)'
        ) from None
    if not figures:
        raise KataError("this check drew no figures (only the training katas draw them)")
    fig, axes = plt.subplots(1, len(figures), figsize=(5 * len(figures), 4), squeeze=False)
    for ax, figure in zip(axes[0], figures, strict=True):
        ax.set_title(figure.title)
        if figure.kind == "curves":
            for name, values in figure.series.items():
                ax.plot(range(1, len(values) + 1), values, label=name)
            ax.set_xlabel("epoch")
            ax.legend()
        else:
            ax.imshow(figure.grid, extent=(0, 1, 0, 1), cmap="coolwarm", vmin=0)
            ax.set_xlabel("x")
            ax.set_ylabel("y")
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as error:
        raise KataError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        plt.close(fig)

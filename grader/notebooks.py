"""The code of a Jupyter notebook, as a learner means it: its code cells, in order.

Parsed with the standard ``json`` module (nbformat 4, what Jupyter has written
since 2015); a notebook library would bring a schema validator and a dozen
dependencies for what is a list of cells. IPython lines (``%magic``, ``!shell``)
are not Python: they are commented out, line numbers kept, and counted so the
instructor is told.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

IPYTHON_PREFIXES = ("%", "!")


class NotANotebook(ValueError):
    """Why a ``.ipynb`` file holds no code to grade; the message is shown to the instructor."""


@dataclass(frozen=True)
class NotebookCode:
    source: str  # the code cells joined in order, each under an "# In[n]:" line
    cells: int  # code cells with any code
    left_out: int  # IPython lines commented out


def notebook_code(data: bytes) -> NotebookCode:
    """The Python source of a notebook's code cells; raises ``NotANotebook``."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise NotANotebook(f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise NotANotebook(f"not a notebook: not JSON ({error.msg}, line {error.lineno})") from None
    except RecursionError:
        raise NotANotebook("not a notebook: JSON nested too deep") from None
    cells = document.get("cells") if isinstance(document, dict) else None
    if not isinstance(cells, list):
        raise NotANotebook("not a notebook: no list of cells (Jupyter's nbformat 4 expected)")
    blocks: list[str] = []
    left_out = 0
    for cell in cells:
        code = _code_of(cell)
        if not code.strip():
            continue
        lines = code.splitlines()
        for index, line in enumerate(lines):
            if line.lstrip().startswith(IPYTHON_PREFIXES):
                lines[index] = f"# IPython, left out: {line}"
                left_out += 1
        blocks.append(f"# In[{len(blocks) + 1}]:\n" + "\n".join(lines) + "\n")
    if not blocks:
        raise NotANotebook("a notebook with no code cells")
    return NotebookCode("\n\n".join(blocks), len(blocks), left_out)


def _code_of(cell: object) -> str:
    """A code cell's source ("" for markdown, raw or malformed cells)."""
    if not isinstance(cell, dict) or cell.get("cell_type") != "code":
        return ""
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    return source if isinstance(source, str) else ""

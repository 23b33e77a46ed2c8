"""The last wall: where namespaces are refused and the grader is root, file modes.

Gradescope runs every autograder as root, and its container may refuse
namespaces. There the child runs as ``nobody``, and what it must not see (the
kata bank, which the bundle's ``setup.sh`` makes readable by root only, and the
gradebook) is kept from it by file modes alone. This test builds that situation:
a mount namespace (as real root) where the Python runtime is readable by others,
a bank and a gradebook only root may read, ``KATA_ISOLATION=none`` (no namespaces,
no Landlock), and a learner file that tries to read both.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.catalog import default_bank_root
from grader.sandbox.isolation import bwrap_program

VENV = Path(sys.prefix)

ATTACK = """
import numpy as np
found = []
for path in ({solution!r}, {gradebook!r}):
    try:
        found.append(open(path).read())
    except OSError as error:
        print("refused:", type(error).__name__)
if found:
    exec(found[0], globals())
else:
    def relu_forward(x):
        raise NotImplementedError

    def relu_backward(grad_output, x):
        raise NotImplementedError
"""

GRADE = """
import json, sys
from pathlib import Path
from grader.catalog import open_bank
from grader.engine import check
kata = open_bank(Path(sys.argv[1])).get("relu_backward")
result = check(kata, Path(sys.argv[2]), seed=1, timing=False)
print(json.dumps({"score": result.score, "confinement": result.confinement,
                  "output": result.output, "error": str(result.error)}))
"""


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or bwrap_program() is None,
    reason="needs root and bubblewrap to build the autograder's situation",
)
def test_as_root_without_namespaces_the_child_runs_as_nobody_and_cannot_read_the_bank(
    tmp_path: Path,
) -> None:
    layout = tmp_path / "autograder"
    bank = layout / "source" / "bank"
    shutil.copytree(
        default_bank_root() / "katas" / "relu_backward", bank / "katas" / "relu_backward"
    )
    (bank / "solutions").mkdir()
    shutil.copy(default_bank_root() / "solutions" / "relu_backward.py", bank / "solutions")
    gradebook = layout / "results" / "gradebook.sqlite3"
    gradebook.parent.mkdir(parents=True)
    gradebook.write_text("every student's scores")
    for folder in (layout, layout / "source", bank, gradebook.parent):
        folder.chmod(0o700)
    submission = Path("/tmp") / f"kata-submission-{os.getpid()}"
    submission.mkdir(mode=0o755, exist_ok=True)
    learner = submission / "relu_backward.py"
    learner.write_text(
        ATTACK.format(
            solution=str(bank / "solutions" / "relu_backward.py"), gradebook=str(gradebook)
        )
    )
    # Everything a child needs readable by others, as in Gradescope's image: the base
    # interpreter under a /root that others may cross, the venv under /opt.
    outer = [bwrap_program(), "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    base = Path(os.path.realpath(sys.executable)).parents[1]
    if base.is_relative_to("/root"):
        outer += ["--tmpfs", "/root"]
        for folder in reversed(base.parents):
            if folder.is_relative_to("/root") and folder != Path("/root"):
                outer += ["--perms", "0755", "--dir", str(folder)]
        outer += ["--ro-bind", str(base), str(base)]
    outer += ["--tmpfs", "/opt", "--ro-bind", str(VENV), "/opt/kata-venv"]
    python = "/opt/kata-venv/bin/python"
    try:
        run = subprocess.run(
            [*outer, "--", python, "-c", GRADE, str(bank), str(learner)],
            env={**os.environ, "KATA_ISOLATION": "none"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        shutil.rmtree(submission, ignore_errors=True)
    assert run.returncode == 0, run.stderr[-2000:]
    seen = json.loads(run.stdout.strip().splitlines()[-1])
    assert "runs as nobody" in seen["confinement"], seen
    assert seen["score"] == 0, seen
    assert seen["output"].count("refused: PermissionError") == 2, seen

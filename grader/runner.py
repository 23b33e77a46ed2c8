"""The trusted runner: one check of one file, in a process of its own.

``python -I -m grader.runner JOB.json`` starts the learner's child first (it
loads while pytest imports), runs the kata's hidden suite with pytest,
pytest-json-report and ``KataPlugin`` (plugin autoloading off), times the
learner against the reference when asked, kills whatever the learner left
running, and writes ``run.json`` beside the JSON report. Learner code never runs
in this process, so nothing it does can change what this process records.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from grader.catalog import Kata, load_kata
from grader.reaper import become_subreaper, current_children, kill_descendants
from grader.sandbox import LearnerFailure, Sandbox

RUN_NAME = "run.json"


def check_definitions(kata: Kata, names: dict[str, str]) -> str | None:
    """The message for required names the learner's module does not define, if any."""
    missing = [name for name in kata.requires if name not in names]
    if missing:
        listed = ", ".join(missing)
        return f"{kata.file_name} does not define {listed}: keep the names from the stub"
    not_callable = [name for name in kata.requires if names[name] == "value"]
    if not_callable:
        return f"{kata.file_name} defines {', '.join(not_callable)} but not as a function or class"
    return None


def run_suite(
    kata: Kata, sandbox: Sandbox, seed: int, out: Path, max_failures: int | None = None
) -> tuple[int, dict | None]:
    """Run the hidden suite; returns pytest's exit status and the JSON report (kept in memory)."""
    import pytest  # imported here, after the child started, so both load at once

    from grader.plugin import KataPlugin

    ini = out / "pytest.ini"
    ini.write_text("[pytest]\n")
    args = [
        str(kata.suite_path),
        "-c",
        str(ini),
        # Rooted one level up, every suite gets its own module name (relu_backward.suite),
        # so a worker that runs many katas never confuses one suite with another.
        "--rootdir",
        str(kata.folder.parent),
        "--confcutdir",
        str(kata.folder),
        "-p",
        "pytest_jsonreport.plugin",
        "-p",
        "no:cacheprovider",
        "-p",
        "no:stepwise",
        "-p",
        "no:doctest",
        "-p",
        "no:junitxml",
        "-p",
        "no:pastebin",
        "-p",
        "no:setuponly",
        "-p",
        "no:setupplan",
        "-p",
        "no:debugging",
        "-p",
        "no:unittest",
        "-p",
        "no:logging",
        "--assert=plain",
        "--import-mode=importlib",
        "-q",
        "--no-header",
        "--tb=no",
        "--json-report",
        "--json-report-file",
        "none",
        "--json-report-omit",
        "collectors",
        "log",
        "traceback",
        "streams",
        "warnings",
        "keywords",
    ]
    if max_failures:
        args.append(f"--maxfail={max_failures}")
    solution = str(kata.solution) if kata.solution else None
    plugin = KataPlugin(sandbox, seed, solution)
    # Results come from the report, not the terminal: keep a runner inside a CLI quiet.
    with contextlib.redirect_stdout(io.StringIO()):
        status = pytest.main(args, plugins=[plugin])
    if status == pytest.ExitCode.INTERRUPTED:
        raise KeyboardInterrupt  # pytest swallowed a Ctrl-C: pass it on, it is no verdict
    return int(status), plugin.final_report


def measure(kata: Kata, sandbox: Sandbox, reference: Sandbox, seed: int) -> dict[str, Any]:
    from grader.timing import measure_speed

    sandbox.deadline = None  # the benchmark has its own cap; the check's budget is for tests
    return asdict(measure_speed(kata.benchmark, sandbox, reference, seed))


def run(job: dict[str, Any], child_folder: Path) -> dict[str, Any]:
    out = Path(job["out"])
    kata = load_kata(Path(job["kata_folder"]), Path(job["solutions"]))
    spare = current_children()  # not ours to kill: they predate this check
    sandbox = Sandbox(Path(job["file"]), child_folder, kata.limits)
    sandbox.deadline = time.monotonic() + kata.budget_s
    sandbox.start()
    reference = None
    if job.get("timing") and kata.benchmark and kata.solution:
        # Started now, so it loads while pytest does; used only if every test passes.
        reference = Sandbox(kata.solution, out / "reference", kata.limits)
        reference.start()
    result: dict[str, Any] = {"error": None, "speed": None, "exit_status": None, "report": None}
    try:
        try:
            names = sandbox.ready()
        except LearnerFailure as failure:
            result["error"] = {"kind": "load", "message": str(failure), "flag": failure.flag}
            return result
        problem = check_definitions(kata, names)
        if problem:
            result["error"] = {"kind": "missing_definition", "message": problem}
            return result
        result["exit_status"], result["report"] = run_suite(
            kata, sandbox, job["seed"], out, job.get("max_failures")
        )
        if reference is not None and result["exit_status"] == 0:
            result["speed"] = measure(kata, sandbox, reference, job["seed"])
        return result
    finally:
        sandbox.close()
        if reference is not None:
            reference.close()
        result["confinement"] = sandbox.confinement
        result["output"] = sandbox.output_excerpt()
        result["leftover_processes"] = kill_descendants(spare)


def run_job(job: dict[str, Any]) -> dict[str, Any]:
    """One check; the learner's child works in a folder of its own, away from the results."""
    with tempfile.TemporaryDirectory(prefix="kata-child-") as child_folder:
        return run(job, Path(child_folder))


def main(argv: list[str]) -> int:
    become_subreaper()
    job = json.loads(Path(argv[0]).read_text())
    result = run_job(job)  # every learner process is dead once this returns
    (Path(job["out"]) / RUN_NAME).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The trusted runner: one check of one file.

It starts the learner's child first (it loads while pytest imports), runs the
kata's hidden suite with pytest, pytest-json-report and ``KataPlugin`` (plugin
autoloading off), times the learner against the reference when asked, kills
whatever the learner left running, and returns a ``RunRecord``. Learner code
never runs in this process, so nothing it does can change what this process
records.

The runner works in a process of the engine's choosing (``engine``): the CLI or
a pool worker after ``become_runner``, or ``python -I -m grader.runner JOB.json``,
which writes ``run.json`` beside the job for an engine that waits on it.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import json
import os
import sys
import time
import traceback
from dataclasses import replace
from pathlib import Path

from grader.catalog import Kata, load_kata
from grader.results import CheckError, CheckJob, Figure, RunRecord, Speed
from grader.sandbox.parent import LearnerFailure, Sandbox, SandboxBroken
from grader.sandbox.reaper import kill_descendants

RUN_NAME = "run.json"


def check_definitions(kata: Kata, names: dict[str, str], shown_name: str) -> str | None:
    """The message for required names the learner's module does not define, if any."""
    missing = [name for name in kata.requires if name not in names]
    if missing:
        listed = ", ".join(missing)
        return f"{shown_name} does not define {listed}: keep the names from the stub"
    not_callable = [name for name in kata.requires if names[name] == "value"]
    if not_callable:
        return f"{shown_name} defines {', '.join(not_callable)} but not as a function or class"
    return None


def run_suite(
    kata: Kata, sandbox: Sandbox, seed: int, out: Path, max_failures: int | None = None
) -> tuple[int, dict | None, list[Figure]]:
    """Run the hidden suite: pytest's exit status, its JSON report (kept in memory), figures."""
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
        "no:faulthandler",
        "-p",
        "no:logging",
        # Each of these costs every check time (unraisableexception alone runs gc.collect
        # five times at the end of a session) and hidden suites use none of them.
        "-p",
        "no:unraisableexception",
        "-p",
        "no:threadexception",
        "-p",
        "no:subtests",
        "-p",
        "no:tmpdir",
        "-p",
        "no:monkeypatch",
        "-p",
        "no:recwarn",
        "--capture=no",
        "-p",
        "no:pytest_metadata",
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
    return int(status), plugin.final_report, plugin.figures_drawn()


def measure(kata: Kata, sandbox: Sandbox, reference: Sandbox, seed: int) -> Speed:
    """Speed against the reference; a failure here is reported, never scored."""
    from grader.timing import measure_speed

    sandbox.deadline = None  # the benchmark has its own cap; the check's budget is for tests
    try:
        return measure_speed(kata.benchmark, sandbox, reference, seed)
    except Exception as error:  # noqa: BLE001 - speed never changes the score
        note = f"not measured: the benchmark failed ({type(error).__name__}: {error})"
        return Speed(None, 0.0, None, False, note[:300])


def run(job: CheckJob) -> RunRecord:
    """One check; every learner process is dead once this returns."""
    out = Path(job.out)
    kata = load_kata(Path(job.kata_folder), Path(job.solutions))
    sandbox = Sandbox(Path(job.file), out / "learner", kata.limits, job.shown_name)
    reference = None
    record = RunRecord()
    try:
        sandbox.start()
        if job.timing and kata.benchmark and kata.solution:
            # Started now, so it loads while pytest does; used only if every test passes.
            reference = Sandbox(kata.solution, out / "reference", kata.limits)
            reference.start()
        record = _run_suite_and_time(kata, job, sandbox, reference)
    except SandboxBroken as broken:
        record = RunRecord(error=CheckError("internal", str(broken)))
    finally:
        sandbox.close()
        if reference is not None:
            reference.close()
        leftovers = sandbox.leftovers + kill_descendants()
        flags = record.flags + (("output_flood",) if sandbox.output_flooded else ())
        flags += ("leftover_processes",) if leftovers else ()
        record = replace(
            record,
            flags=tuple(dict.fromkeys(flags)),
            confinement=sandbox.confinement,
            output=sandbox.output_excerpt(),
            leftover_processes=leftovers,
        )
    return record


def _run_suite_and_time(
    kata: Kata, job: CheckJob, sandbox: Sandbox, reference: Sandbox | None
) -> RunRecord:
    from grader.mistakes import by_text
    from grader.plugin import ReportProblem, read_report

    try:
        names = sandbox.ready()  # bounded by the load timeout
    except LearnerFailure as failure:
        flags = (failure.flag,) if failure.flag else ()
        return RunRecord(error=CheckError("load", str(failure)), flags=flags)
    sandbox.deadline = time.monotonic() + kata.budget_s  # the tests' budget starts now
    problem = check_definitions(kata, names, job.shown_name)
    if problem:
        return RunRecord(error=CheckError("missing_definition", problem))
    status, report, figures = run_suite(kata, sandbox, job.seed, Path(job.out), job.max_failures)
    try:
        tests, flags = read_report(
            report, status, kata.weight, bool(job.max_failures), by_text(kata.folder)
        )
    except ReportProblem as problem:
        return RunRecord(error=CheckError("internal", str(problem)))
    speed = None
    if reference is not None and status == 0:
        speed = measure(kata, sandbox, reference, job.seed)
    return RunRecord(tests=tuple(tests), speed=speed, flags=tuple(flags), figures=tuple(figures))


def main(argv: list[str]) -> int:
    from grader.engine import become_runner, hard_limit_s

    become_runner()
    job_path = Path(argv[0])
    job = CheckJob(**json.loads(job_path.read_text()))
    # Just before the engine kills us at the hard limit, say where we were, to our log
    # through a descriptor of its own (pytest's capture moves descriptor 2 elsewhere).
    kata = load_kata(Path(job.kata_folder), Path(job.solutions))
    log = os.fdopen(os.dup(2), "w")
    faulthandler.dump_traceback_later(max(1.0, hard_limit_s(kata, job.timing) - 1.0), file=log)
    try:
        record = run(job)
    except Exception as error:  # noqa: BLE001 - the grader's own bug: report it, with its stack
        detail = "".join(traceback.format_exception(error)[-6:])
        record = RunRecord(error=CheckError("internal", f"the grader's runner failed: {detail}"))
    (job_path.parent / RUN_NAME).write_text(json.dumps(record.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

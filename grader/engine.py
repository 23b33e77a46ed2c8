"""``check(kata, file) -> CheckResult``: the one way any command grades a file.

The engine scans the file, copies it into a private temporary folder, runs the
trusted runner (``grader.runner``) in a process of its own with a hard time
limit, and turns what the runner recorded into a ``CheckResult``. It fails
closed: a test counts as passed only if the runner's report says so, and a
missing or incomplete report scores 0. A check is a self-contained job, safe to
run from many processes at once.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from grader.catalog import Kata
from grader.errors import MissingFile
from grader.results import CheckError, CheckResult, Speed, TestResult
from grader.runner import RUN_NAME
from grader.scan import scan_source

MAX_FILE_BYTES = 1024 * 1024
RUNNER_MARGIN_S = 30.0
BENCHMARK_ALLOWANCE_S = 120.0


def new_seed() -> int:
    return secrets.randbelow(2**31)


def check(
    kata: Kata,
    file: Path,
    *,
    seed: int | None = None,
    timing: bool = True,
    started_at: float | None = None,
    clock: Callable[[], float] = time.time,
    in_process: bool = False,
    max_failures: int | None = None,
) -> CheckResult:
    """Grade ``file`` against ``kata``'s hidden suite. Raises only for the tool's user's errors.

    ``in_process`` runs the trusted runner's work in this process instead of a
    child: only for grading workers (see ``grading``), which are trusted runner
    processes made subreapers; learner code still runs in its own child.
    ``max_failures`` stops the suite after that many failures: for meta-checks that
    only ask whether a buggy file is caught; such a result is partial, not a score.
    """
    file = Path(file)
    if not file.is_file():
        raise MissingFile(
            f"no file {file}: run `kata start {kata.id}` to create it, or pass --file PATH"
        )
    seed = new_seed() if seed is None else int(seed)
    began = time.monotonic()
    base = {"kata": kata.id, "file": str(file), "seed": seed}
    if started_at is not None:
        base["elapsed_since_start_s"] = round(max(0.0, clock() - started_at), 1)
    source = _read_source(file)
    if isinstance(source, CheckError):
        return CheckResult(**base, error=source, duration_s=time.monotonic() - began)
    scan = scan_source(source, file.name)
    if scan.error_kind:
        error = CheckError(scan.error_kind, scan.error_message or "")
        return CheckResult(
            **base, error=error, flags=scan.flags, duration_s=time.monotonic() - began
        )
    with tempfile.TemporaryDirectory(prefix="kata-check-") as tmp:
        folder = Path(tmp)
        learner_copy = folder / "work" / kata.file_name
        learner_copy.parent.mkdir()
        learner_copy.write_text(source, encoding="utf-8")
        job = {
            "kata_folder": str(kata.folder),
            "solutions": str(kata.solution.parent if kata.solution else kata.folder),
            "file": str(learner_copy),
            "seed": seed,
            "timing": timing,
            "out": str(folder),
            "max_failures": max_failures,
        }
        limit = kata.budget_s + kata.limits.load_timeout_s + RUNNER_MARGIN_S
        limit += BENCHMARK_ALLOWANCE_S if timing else 0
        run_runner = run_in_this_process if in_process else run_in_subprocess
        run, problem = run_runner(job, folder, limit)
        result = _assemble(kata, base, run, problem, partial=bool(max_failures))
    flags = tuple(dict.fromkeys(scan.flags + result.flags))
    return replace(result, flags=flags, duration_s=time.monotonic() - began)


def _read_source(file: Path) -> str | CheckError:
    size = file.stat().st_size
    if size > MAX_FILE_BYTES:
        return CheckError(
            "encoding", f"{file.name} is {size // 1024} KiB; a kata file is at most 1 MiB"
        )
    try:
        # utf-8-sig: a byte-order mark (Windows editors write one) is read as Python reads it.
        return file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        return CheckError(
            "encoding", f"{file.name} is not UTF-8 text ({error.reason} at byte {error.start})"
        )


def run_in_this_process(job: dict, folder: Path, limit: float) -> tuple[dict | None, str | None]:
    """The runner's work here: this process must be a trusted runner (see ``become_runner``)."""
    from grader.runner import run_job  # imports pytest and NumPy: only runners pay for them

    del folder, limit  # learner calls are bounded by the sandbox's own budget
    try:
        return run_job(job), None
    except Exception as error:  # noqa: BLE001 - the grader's own bug: fail closed, visibly
        return None, f"the grader's runner failed: {type(error).__name__}: {error}"


def become_runner() -> None:
    """Let this process run suites in-process: adopt orphans, no pytest plugin autoloading.

    Learner code still runs only in confined children; this process must be one
    that may kill all its children when a check ends (a CLI command, a pool worker).
    """
    from grader.reaper import become_subreaper

    become_subreaper()
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    sys.dont_write_bytecode = True


def run_in_subprocess(job: dict, folder: Path, limit: float) -> tuple[dict | None, str | None]:
    job_path = folder / "job.json"
    job_path.write_text(json.dumps(job))
    log_path = folder / "runner.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-I", "-m", "grader.runner", str(job_path)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={
                **os.environ,
                "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
                "PYTHONDONTWRITEBYTECODE": "1",
            },
        )
        try:
            process.wait(timeout=limit)
        except BaseException:  # a timeout, or Ctrl-C in the CLI: never leave the runner behind
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            if not isinstance(sys.exc_info()[1], subprocess.TimeoutExpired):
                raise
            return None, f"the check did not finish within {limit:.0f} s"
    run = _load_json(folder / RUN_NAME)
    if not isinstance(run, dict):
        tail = log_path.read_text(errors="replace")[-1500:]
        return None, f"the grader's runner failed (status {process.returncode}): {tail}"
    return run, None


def _load_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _assemble(
    kata: Kata, base: dict, run: dict | None, problem: str | None, partial: bool = False
) -> CheckResult:
    if problem or run is None:
        return CheckResult(**base, error=CheckError("internal", problem or "no result"))
    output = run.get("output", "")
    base = {**base, "confinement": run.get("confinement")}
    if run.get("error"):
        error = run["error"]
        flags = (error["flag"],) if error.get("flag") else ()
        return CheckResult(
            **base, error=CheckError(error["kind"], error["message"]), output=output, flags=flags
        )
    tests, problem = _tests_from_report(kata, run.get("report"), run.get("exit_status"), partial)
    if problem:
        return CheckResult(**base, error=CheckError("internal", problem), output=output)
    flags = tuple(dict.fromkeys(t.extra_flag for t in tests if t.extra_flag))
    speed = (
        Speed(
            **{k: run["speed"][k] for k in ("learner_s", "reference_s", "ratio", "capped", "note")}
        )
        if run.get("speed")
        else None
    )
    if run.get("leftover_processes"):
        flags += ("leftover_processes",)
    return CheckResult(
        **base, tests=tuple(t.result for t in tests), speed=speed, flags=flags, output=output
    )


class _ParsedTest:
    def __init__(self, result: TestResult, extra_flag: str | None) -> None:
        self.result = result
        self.extra_flag = extra_flag


def _tests_from_report(
    kata: Kata, report: dict | None, exit_status: Any, partial: bool = False
) -> tuple[list[_ParsedTest], str | None]:
    """Fail closed: anything short of a complete report is the grader's error, scored 0."""
    if exit_status not in (0, 1) or not isinstance(report, dict):
        return [], f"the hidden suite did not run to completion (pytest status {exit_status})"
    entries = report.get("tests") or []
    collected = (report.get("summary") or {}).get("collected")
    complete = collected == len(entries) or (partial and len(entries) <= (collected or 0))
    if not entries or not complete:
        return [], "the hidden suite's report is incomplete"
    parsed = []
    for entry in entries:
        meta = entry.get("metadata") or {}
        passed = (
            entry.get("outcome") == "passed" and entry.get("call", {}).get("outcome") == "passed"
        )
        outcome = "passed" if passed else meta.get("kind", "failed")
        duration = sum(
            entry.get(stage, {}).get("duration", 0.0) for stage in ("setup", "call", "teardown")
        )
        name = entry["nodeid"].split("::", 1)[-1]
        result = TestResult(
            name=name,
            title=meta.get("title") or name,
            category=meta.get("category", "values"),
            outcome=outcome,
            message="" if passed else meta.get("message", "the test did not pass"),
            duration_s=round(duration, 4),
            weight=kata.weight(name),
        )
        parsed.append(_ParsedTest(result, None if passed else meta.get("flag")))
    if exit_status == 0 and not all(p.result.passed for p in parsed):
        return [], "the hidden suite's report contradicts its exit status"
    return parsed, None

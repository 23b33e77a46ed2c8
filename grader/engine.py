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
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from grader.catalog import Kata
from grader.errors import MissingFile
from grader.results import CheckError, CheckJob, CheckResult, RunRecord
from grader.runner import RUN_NAME
from grader.scan import scan_source

MAX_FILE_BYTES = 1024 * 1024
RUNNER_MARGIN_S = 10.0
BENCHMARK_ALLOWANCE_S = 120.0


def hard_limit_s(kata: Kata, timing: bool) -> float:
    """How long the trusted side may take for one check of ``kata``, in any mode."""
    limit = kata.budget_s + kata.limits.load_timeout_s + RUNNER_MARGIN_S
    return limit + (BENCHMARK_ALLOWANCE_S if timing else 0)


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
    max_failures: int | None = None,
) -> CheckResult:
    """Grade ``file`` against ``kata``'s hidden suite. Raises only for the tool's user's errors.

    The trusted runner works in this process if it became a runner (``become_runner``:
    the CLI, pool workers), else in a process of its own; learner code runs in its
    own confined child either way.
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
        # Others may pass through (an unprivileged child must reach its file) but not list.
        folder.chmod(0o711)
        learner_copy = folder / "work" / kata.file_name
        learner_copy.parent.mkdir(mode=0o755)
        learner_copy.write_text(source, encoding="utf-8")
        learner_copy.chmod(0o644)
        job = CheckJob(
            kata_folder=str(kata.folder),
            solutions=str(kata.solution.parent if kata.solution else kata.folder),
            file=str(learner_copy),
            shown_name=file.name,
            seed=seed,
            timing=timing,
            out=str(folder),
            max_failures=max_failures,
        )
        run_runner = run_in_this_process if _this_process_runs else run_in_subprocess
        record = run_runner(job, hard_limit_s(kata, timing))
    result = CheckResult(
        **base,
        tests=record.tests,
        error=record.error,
        speed=record.speed,
        flags=tuple(dict.fromkeys(scan.flags + record.flags)),
        output=record.output,
        confinement=record.confinement,
        figures=record.figures,
    )
    return replace(result, duration_s=time.monotonic() - began)


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


class CheckOverrun(KeyboardInterrupt):
    """The trusted side ran past its hard limit (a KeyboardInterrupt, so pytest stops)."""


def run_in_this_process(job: CheckJob, limit: float) -> RunRecord:
    """The runner's work here: this process must be a trusted runner (see ``become_runner``).

    A real-time alarm bounds it: past ``limit`` the suite is interrupted wherever
    it is, and the check ends as the grader's failure, with that place in the report.
    """
    from grader.runner import run  # imports pytest and NumPy: only runners pay for them

    stuck: list[str] = []

    def overrun(_signal: int, frame: Any) -> None:
        stuck.extend(traceback.format_stack(frame)[-4:])
        raise CheckOverrun

    alarmed = threading.current_thread() is threading.main_thread()
    if alarmed:
        previous = signal.signal(signal.SIGALRM, overrun)
        signal.setitimer(signal.ITIMER_REAL, limit)
    try:
        return run(job)
    except CheckOverrun:
        where = "".join(stuck).strip()
        return _internal(f"the check did not finish within {limit:.0f} s; it was at:\n{where}")
    except KeyboardInterrupt:
        if stuck:  # the alarm fired inside pytest, which turned it into an interruption
            where = "".join(stuck).strip()
            return _internal(f"the check did not finish within {limit:.0f} s; it was at:\n{where}")
        raise
    except Exception as error:  # noqa: BLE001 - the grader's own bug: fail closed, visibly
        return _internal(f"the grader's runner failed: {_last_frames(error)}")
    finally:
        if alarmed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _internal(message: str) -> RunRecord:
    if os.environ.get("KATA_DEBUG"):
        print(message, file=sys.stderr)
    return RunRecord(error=CheckError("internal", message))


def _last_frames(error: BaseException) -> str:
    return "".join(traceback.format_exception(error)[-6:]).strip()


_this_process_runs = False


def become_runner() -> None:
    """Let this process run suites in-process: adopt orphans, no pytest plugin autoloading.

    Learner code still runs only in confined children; this process must be one
    that may kill all its children when a check ends (a CLI command, a pool worker).
    Its own memory is capped, so no job can take the host, and children it already
    has are spared by the reaper.
    """
    from grader.sandbox.reaper import become_subreaper, spare_current_children

    global _this_process_runs
    become_subreaper()
    spare_current_children()
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")  # suites compute little; BLAS threads only reserve memory
    limit_own_memory()
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    sys.dont_write_bytecode = True
    _this_process_runs = True


TRUSTED_MEMORY_MB = 8192


def limit_own_memory() -> None:
    """Cap this trusted process's address space (never raising an existing lower cap)."""
    import resource

    wanted = TRUSTED_MEMORY_MB * 1024 * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY or soft > wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_AS, (wanted, hard))


def run_in_subprocess(job: CheckJob, limit: float) -> RunRecord:
    """The runner in a process of its own, killed with its group at ``limit``."""
    folder = Path(job.out)
    job_path = folder / "job.json"
    job_path.write_text(json.dumps(asdict(job)))
    job_path.chmod(0o600)
    with tempfile.TemporaryFile(dir=folder) as log:
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
            log.seek(0)
            dump = log.read().decode(errors="replace")
            # faulthandler's dump, most recent call first: its first frames say where.
            where = "\n".join(dump[dump.rfind("Timeout (") :].splitlines()[1:12])
            return _internal(f"the check did not finish within {limit:.0f} s; it was at:\n{where}")
        try:
            return RunRecord.from_json(json.loads((folder / RUN_NAME).read_text()))
        except (OSError, ValueError, KeyError, TypeError):
            log.seek(0)
            tail = log.read()[-1500:].decode(errors="replace")
            return _internal(f"the grader's runner failed (status {process.returncode}): {tail}")

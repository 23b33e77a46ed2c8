"""Grading on a Dask cluster (``kata grade --cluster``): the same checks, placed by Dask.

Dask's scheduler places each (student, kata) job on a worker, restarts workers
that die and reschedules their jobs; we run no service of our own. The
coordinator (the ``kata grade`` process) stays the gradebook's only writer: it
records each result as it comes back, so resume, ``--regrade``, the hash and
seed rules and the exports work exactly as with the local pool.

A job is plain data: the file's bytes, the kata id, the seed and the timing
flag. A worker grades it with the same warm runner and confinement as a local
pool worker (``pool.SingleRunner``) and returns the result's JSON. Every worker
must run the same grader version on the same kata bank (and, when asked, confine
learner code in namespaces): checked for all workers on connect, and again by
each job on the worker that runs it, so a worker that joins later cannot slip
in.

Dask is an optional extra (``pip install "kata[cluster]"``), imported only here.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from grader import __version__
from grader.catalog import Bank, default_bank_root, open_bank
from grader.engine import MAX_FILE_BYTES, check
from grader.errors import KataError
from grader.pool import CheckTask, OnDone, Progress, SingleRunner
from grader.results import CheckError, CheckResult

LOCAL = "local:"
CONNECT_TIMEOUT_S = 30
JOBS_IN_FLIGHT_PER_WORKER = 4  # enough to keep workers busy; the scheduler holds few files
KILLED_WORKERS = "killed_workers"  # the flag of a job Dask gave up on
# Workers that may keep a warm runner process (not daemonic), and spend no CPU on Dask's
# statistical profiler, which samples every thread 100 times a second: a check's CPU is
# ours. As environment variables for `dask worker`: see the README.
WORKER_CONFIG = {"distributed.worker.daemon": False, "distributed.worker.profile.enabled": False}


@dataclass(frozen=True)
class WorkerIdentity:
    version: str  # of the grader
    bank: str  # hash of the kata bank's files
    confinement: str  # what confines learner code there: namespaces, or a weaker mode


@dataclass(frozen=True)
class ClusterJob:
    """One check, as plain data a worker on another machine can grade."""

    kata: str
    file_name: str  # the student's file name, for messages
    source: bytes  # at most MAX_FILE_BYTES
    seed: int
    timing: bool
    expects: WorkerIdentity  # the worker refuses the job if it is not this


@lru_cache(maxsize=8)
def bank_hash(root: Path) -> str:
    """A hash of every file of a bank's katas and solutions, by relative path and content."""
    digest = hashlib.sha256()
    for part in ("katas", "solutions"):
        for path in sorted((root / part).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0")
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def identity_of(bank_root: Path) -> WorkerIdentity:
    from grader.sandbox.isolation import chosen_mode

    return WorkerIdentity(__version__, bank_hash(bank_root), chosen_mode())


def worker_bank_root() -> Path:
    """A worker's bank: ``KATA_BANK`` (as for the CLI), else the bundled one."""
    return (
        Path(os.environ["KATA_BANK"]).resolve()
        if os.environ.get("KATA_BANK")
        else default_bank_root()
    )


def worker_identity() -> dict[str, str]:
    """Run on every worker by the coordinator (``Client.run``) before any job is sent."""
    return asdict(identity_of(worker_bank_root()))


@dataclass(frozen=True)
class JobOutcome:
    """What a worker sends back: the result's JSON, or why the grader itself failed.

    Plain data rather than a raised exception, so a failure is not logged by the
    worker with the student's file in it.
    """

    result: dict[str, Any] | None = None
    failure: str | None = None


_runner: SingleRunner | None = None
_runner_lock = threading.Lock()


def grade_on_worker(job: ClusterJob) -> JobOutcome:
    """Grade one job on this worker, exactly as ``engine.check`` does in the local pool.

    A warm runner process serves every job of this worker, as a pool worker does;
    Dask's workers are daemonic by default and so may not start one
    (``DASK_DISTRIBUTED__WORKER__DAEMON=False`` lets them): then each job starts a
    runner of its own, slower but the same check.
    """
    mine = identity_of(worker_bank_root())
    if mine != job.expects:
        return JobOutcome(
            failure=f"a worker differs from the coordinator: {mismatch(mine, job.expects)}"
        )
    with _runner_lock, tempfile.TemporaryDirectory(prefix="kata-cluster-") as private:  # 0700
        file = Path(private) / job.file_name
        file.write_bytes(job.source)
        if multiprocessing.current_process().daemon:
            kata = open_bank(worker_bank_root()).get(job.kata)
            return JobOutcome(check(kata, file, seed=job.seed, timing=job.timing).to_json())
        result, error = _warm_runner().run(CheckTask(job.kata, str(file)), job.seed, job.timing)
    return JobOutcome(result.to_json()) if result else JobOutcome(failure=error or "unknown error")


def _warm_runner() -> SingleRunner:
    global _runner
    if _runner is None:
        _runner = SingleRunner(open_bank(worker_bank_root()))
    return _runner


def mismatch(
    found: WorkerIdentity, wanted: WorkerIdentity, require_namespaces: bool = False
) -> str:
    """What differs, in words; empty when the worker may grade."""
    problems = []
    if found.version != wanted.version:
        problems.append(f"kata {found.version}, not {wanted.version}")
    if found.bank != wanted.bank:
        problems.append(f"another kata bank (hash {found.bank}, not {wanted.bank})")
    if require_namespaces and found.confinement != "namespaces":
        problems.append(f"confinement {found.confinement}, not namespaces")
    return ", ".join(problems)


def refused(
    workers: dict[str, dict[str, str]], wanted: WorkerIdentity, require_namespaces: bool
) -> list[str]:
    """One line per worker that may not grade for this coordinator."""
    lines = []
    for address, found in sorted(workers.items()):
        problem = mismatch(WorkerIdentity(**found), wanted, require_namespaces)
        if problem:
            lines.append(f"{address} ({problem})")
    return lines


def _dask():
    try:
        import distributed
    except ImportError:
        raise KataError(
            '--cluster needs Dask: install the extra with pip install "kata[cluster]"'
        ) from None
    return distributed


def local_workers(address: str) -> int | None:
    """N of ``local:N`` (one line if it is not a count), None for a scheduler's address."""
    if not address.startswith(LOCAL):
        return None
    count = address.removeprefix(LOCAL)
    if not count.isdigit() or not 1 <= int(count) <= 256:
        raise KataError(f"--cluster {address}: say how many workers, e.g. local:2")
    return int(count)


def usable(address: str) -> None:
    """Refuse a malformed ``--cluster`` or a missing extra before any file is read."""
    local_workers(address)
    _dask()


@contextmanager
def connected(address: str, bank: Bank) -> Iterator[Any]:
    """A Dask client: of a new ``LocalCluster`` for ``local:N``, else of the scheduler at ``address``."""
    distributed = _dask()
    count = local_workers(address)
    if count is not None:
        import dask

        # Set for the cluster's whole life: Dask reads it again to restart a dead worker.
        no_daemons = dask.config.set(WORKER_CONFIG)
        cluster = distributed.LocalCluster(
            n_workers=count,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: never clash with a dashboard already running
            silence_logs=logging.CRITICAL,
            env={"KATA_BANK": str(bank.root)},
        )
        with no_daemons, cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as error:
        raise KataError(f"cannot reach a Dask scheduler at {address}: {error}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except TimeoutError:
            raise KataError(
                f"the Dask scheduler at {address} has no worker (waited {CONNECT_TIMEOUT_S} s); "
                "start some with `dask worker " + address + "`"
            ) from None
        yield client


def run_checks_on_cluster(
    address: str,
    bank: Bank,
    tasks: Sequence[CheckTask],
    seed: int,
    workers: int,
    timing: bool,
    on_done: OnDone,
    require_namespaces: bool = False,
) -> None:
    """``pool.run_checks`` on a Dask cluster; ``workers`` is unused (the cluster has its own)."""
    del workers
    if not tasks:
        return
    wanted = identity_of(bank.root)
    with connected(address, bank) as client:
        bad = refused(client.run(worker_identity), wanted, require_namespaces)
        if bad:
            raise KataError(f"refusing the cluster at {address}: worker {'; worker '.join(bad)}")
        _run(client, tasks, seed, timing, on_done, wanted)


def _run(
    client: Any,
    tasks: Sequence[CheckTask],
    seed: int,
    timing: bool,
    on_done: OnDone,
    wanted: WorkerIdentity,
) -> None:
    """Keep a bounded number of jobs in flight; record each as it finishes."""
    distributed = _dask()
    began = time.monotonic()
    run_id = uuid.uuid4().hex[:8]
    pending = list(range(len(tasks)))[::-1]
    in_flight: dict[Any, int] = {}
    finished = distributed.as_completed()

    def submit() -> None:
        limit = JOBS_IN_FLIGHT_PER_WORKER * max(1, len(client.scheduler_info()["workers"]))
        while pending and len(in_flight) < limit:
            index = pending.pop()
            job = _job(tasks[index], seed, timing, wanted)
            future = client.submit(grade_on_worker, job, key=f"kata-{run_id}-{index}", pure=False)
            in_flight[future] = index
            finished.add(future)

    submit()
    done = 0
    try:
        for future in finished:
            index = in_flight.pop(future)
            done += 1
            progress = Progress(done, len(tasks), time.monotonic() - began)
            result, error = _outcome(future, tasks[index], seed, distributed.KilledWorker)
            future.release()
            on_done(index, progress, result, error)
            submit()
    finally:
        client.cancel(list(in_flight))  # Ctrl-C: what finished is recorded already


def _job(task: CheckTask, seed: int, timing: bool, wanted: WorkerIdentity) -> ClusterJob:
    with open(task.file, "rb") as handle:  # the coordinator's private staged copy
        source = handle.read(MAX_FILE_BYTES + 1)
    if len(source) > MAX_FILE_BYTES:
        raise KataError(f"{task.file} grew past 1 MiB after it was staged")
    return ClusterJob(
        task.kata,
        Path(task.file).name,
        source,
        seed if task.seed is None else task.seed,
        timing if task.timing is None else task.timing,
        wanted,
    )


def _outcome(
    future: Any, task: CheckTask, seed: int, killed_worker: type[Exception]
) -> tuple[CheckResult | None, str | None]:
    """The result, or the grader's error; a job that killed workers is a result for review."""
    try:
        outcome: JobOutcome = future.result()
    except killed_worker:
        message = (
            "grading this file killed Dask workers again and again, so Dask gave up on it; "
            "review the file by hand (kata check) before grading it again"
        )
        failure = CheckResult(
            task.kata,
            Path(task.file).name,
            seed if task.seed is None else task.seed,
            error=CheckError("internal", message),
            flags=(KILLED_WORKERS,),
        )
        return failure, None
    except Exception as error:  # noqa: BLE001 - a worker's exception, reported as the grader's
        return None, f"{type(error).__name__}: {error}"
    if outcome.result is None:
        return None, outcome.failure
    return CheckResult.from_json(outcome.result), None

"""Jobs per second of `kata grade` on the local pool and on Dask, side by side in one run.

The synthetic class of grade_speed.py (default 60 students x 3 katas), graded
with 2 workers each way, fresh gradebooks, --no-timing, the same seed:
  - the local pool, `--workers 2`;
  - `--cluster local:2` (a LocalCluster the command starts: its start-up counts);
  - a scheduler and 2 workers started with Dask's own CLI on 127.0.0.1, started
    before the clock; their workers non-daemonic (warm runners, as documented),
    and, with --daemonic, also Dask's default daemonic workers (a runner per job).
Target: Dask within 15% of the local pool. Needs the cluster extra.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from grade_speed import build_class, timed

from grader.catalog import open_bank

DASK = str(Path(sys.executable).parent / "dask")
COURSE_JOBS = 30_000


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def dask_cli_cluster(workers: int, daemonic: bool):
    """`dask scheduler` and `dask worker` processes, as an instructor starts them."""
    address = f"tcp://127.0.0.1:{free_port()}"
    env = {
        **os.environ,
        "DASK_DISTRIBUTED__WORKER__DAEMON": str(daemonic),
        "DASK_DISTRIBUTED__WORKER__PROFILE__ENABLED": "False",
    }
    port = address.rsplit(":", 1)[1]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    scheduler = subprocess.Popen(
        [DASK, "scheduler", "--host", "127.0.0.1", "--port", port, "--no-dashboard"], **quiet
    )
    worker = subprocess.Popen(
        [DASK, "worker", address, "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard"],
        env=env,
        **quiet,
    )
    try:
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(workers, timeout=120)
        yield address
    finally:
        for process in (worker, scheduler):
            process.terminate()
            process.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--katas", default="relu_backward,bce_gradient,linear_layer")
    parser.add_argument("--daemonic", action="store_true", help="also Dask's default workers")
    args = parser.parse_args()
    bank = open_bank()
    katas = [bank.get(k) for k in args.katas.split(",")]
    kata_cli = [sys.executable, "-m", "grader"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        jobs = build_class(work / "class", katas, args.students, seed=1)
        print(f"synthetic class: {args.students} students x {len(katas)} katas = {len(jobs)} jobs")

        def grade(*how: str) -> tuple[float, float]:
            """Wall time of the whole command, and the steady rate between first and last job."""
            out = work / f"out-{len(results)}"
            base = ["grade", str(work / "class"), "--katas", args.katas, "--no-timing"]
            seconds = timed([*kata_cli, *base, "--out", str(out), "--seed", "1", *how])
            with sqlite3.connect(out / "gradebook.sqlite3") as db:
                first, last, count = db.execute(
                    "SELECT min(graded_at), max(graded_at), count(*) FROM attempts"
                ).fetchone()
            return seconds, (count - 1) / (last - first)

        results: dict[str, tuple[float, float]] = {}
        results["local pool, --workers 2"] = grade("--workers", "2")
        results["--cluster local:2"] = grade("--cluster", "local:2")
        for daemonic in (False, True) if args.daemonic else (False,):
            with dask_cli_cluster(2, daemonic) as address:
                kind = "daemonic" if daemonic else "non-daemonic"
                results[f"dask CLI, 2 {kind} workers"] = grade("--cluster", address)
    pool, pool_rate = results["local pool, --workers 2"]
    print(
        f"  {'':34s} {'wall':>7s}    {'jobs/s':>6s}  {'vs pool':>7s}  {'steady jobs/s':>13s}  vs pool"
    )
    for name, (seconds, rate) in results.items():
        print(
            f"  {name:34s} {seconds:6.1f} s  {len(jobs) / seconds:6.2f}  {pool / seconds:7.0%}"
            f"  {rate:13.2f}  {rate / pool_rate:7.0%}"
        )
    print("  (steady: between the first and the last job recorded, so start-up is left out)")
    per_job = 2 * pool / len(jobs)  # core-seconds per job, from the pool's run
    print(f"  cost per job on this machine: {per_job:.2f} core-s (target: Dask within 15%)")
    for workers in (2, 16, 64, 256):
        hours = COURSE_JOBS * per_job / workers / 3600
        print(f"  {COURSE_JOBS} jobs on {workers:3d} worker cores: {hours * 60:7.1f} min")


if __name__ == "__main__":
    started = time.monotonic()
    main()
    print(f"  (bench took {time.monotonic() - started:.0f} s)")

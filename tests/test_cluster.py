"""`kata grade --cluster`: the same gradebook as the local pool, through Dask's scheduler.

A LocalCluster of two worker processes stands in for lab machines; it is the
same scheduler protocol a cluster of `dask scheduler` / `dask worker` speaks.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader import cluster
from grader.cli import main
from grader.pool import CheckTask
from tests.conftest import relu_bank

distributed = pytest.importorskip(
    "distributed", reason='the cluster extra is not installed: pip install -e ".[cluster]"'
)


@pytest.fixture(scope="module")
def roomy_bank(tmp_path_factory):
    """relu_backward with room to load on a loaded machine: no file here is hostile."""
    limits = "call_timeout_s = 10\nload_timeout_s = 60\nbudget_s = 60"
    return relu_bank(tmp_path_factory.mktemp("roomy-bank"), limits)


ROWS = "SELECT student, kata, file_hash, seed, score, passed, total FROM attempts ORDER BY 1, 2"


@pytest.fixture(scope="module")
def scheduler(roomy_bank):
    """A scheduler with two worker processes, each allowed a warm runner, on the fast bank."""
    import dask

    with (
        dask.config.set({"distributed.worker.daemon": False}),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            dashboard_address=":0",  # any free port: never clash with a dashboard already running
            silence_logs=50,
            env={"KATA_BANK": str(roomy_bank.root)},
        ) as local,
        distributed.Client(local) as client,
    ):
        yield local.scheduler_address, client


@pytest.fixture
def klass(tmp_path, roomy_bank) -> Path:
    """Four students: correct, buggy, a forbidden import, and nothing handed in."""
    solution = (roomy_bank.root / "solutions" / "relu_backward.py").read_text()
    folder = tmp_path / "submissions"
    for student, source in (
        ("ada", solution),
        ("bob", solution.replace("x > 0", "x >= 0")),
        ("cy", "import torch\n"),
        ("dee", None),
    ):
        (folder / student).mkdir(parents=True)
        if source is not None:
            (folder / student / "relu_backward.py").write_text(source)
    return folder


def grade(roomy_bank, klass: Path, out: Path, *extra: str):
    args = ["--bank", str(roomy_bank.root), "grade", str(klass), "--out", str(out)]
    return CliRunner().invoke(main, [*args, "--no-timing", "--seed", "7", *extra])


def rows(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "gradebook.sqlite3") as db:
        return db.execute(ROWS).fetchall()


def test_the_cluster_gives_the_local_pools_gradebook_and_a_rerun_resumes(
    roomy_bank, klass, tmp_path, scheduler
):
    address, _ = scheduler
    local = grade(roomy_bank, klass, tmp_path / "pool", "--workers", "2")
    on_cluster = grade(roomy_bank, klass, tmp_path / "dask", "--cluster", address)
    assert local.exit_code == 0, local.output
    assert on_cluster.exit_code == 0, on_cluster.output
    assert rows(tmp_path / "dask") == rows(tmp_path / "pool")
    scores = {row[0]: row[4] for row in rows(tmp_path / "dask")}
    assert scores["ada"] == 100 and 0 < scores["bob"] < 100 and scores["cy"] == 0

    again = grade(roomy_bank, klass, tmp_path / "dask", "--cluster", address)
    assert again.exit_code == 0, again.output
    assert "0 jobs to grade, 3 already graded" in again.output
    assert len(rows(tmp_path / "dask")) == 3  # one attempt each: nothing graded twice


def test_a_local_cluster_of_n_processes_grades_like_the_pool(roomy_bank, klass, tmp_path):
    result = grade(roomy_bank, klass, tmp_path / "gb", "--cluster", "local:2")
    assert result.exit_code == 0, result.output
    scores = {row[0]: row[4] for row in rows(tmp_path / "gb")}
    assert scores["ada"] == 100 and 0 < scores["bob"] < 100 and scores["cy"] == 0


def test_a_worker_of_another_version_is_refused_by_name(roomy_bank, klass, tmp_path, scheduler):
    address, client = scheduler
    worker = sorted(client.scheduler_info()["workers"])[0]

    def pretend(version: str) -> None:
        cluster.__version__ = version

    client.run(pretend, "0.0.1-old", workers=[worker])
    try:
        result = grade(roomy_bank, klass, tmp_path / "gb", "--cluster", address)
    finally:
        client.run(pretend, cluster.__version__, workers=[worker])
    assert result.exit_code == 2
    assert f"refusing the cluster at {address}: worker {worker} (kata 0.0.1-old, not" in (
        result.output
    )
    assert not (tmp_path / "gb" / "gradebook.sqlite3").exists() or rows(tmp_path / "gb") == []


def test_refusals_name_every_difference():
    wanted = cluster.WorkerIdentity("0.1.0", "abc", "namespaces")
    workers = {
        "tcp://a:1": {"version": "0.1.0", "bank": "abc", "confinement": "namespaces"},
        "tcp://b:1": {"version": "0.2.0", "bank": "def", "confinement": "subprocess"},
    }
    assert cluster.refused(workers, wanted, require_namespaces=False) == [
        "tcp://b:1 (kata 0.2.0, not 0.1.0, another kata bank (hash def, not abc))"
    ]
    assert cluster.refused(workers, wanted, require_namespaces=True)[0].endswith(
        "confinement subprocess, not namespaces)"
    )


def test_bad_addresses_are_one_line(roomy_bank, klass, tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT_S", 2)
    result = grade(roomy_bank, klass, tmp_path / "gb", "--cluster", "local:many")
    assert result.exit_code == 2 and "say how many workers, e.g. local:2" in result.output
    assert not (tmp_path / "gb").exists()  # refused before anything was read or written
    result = grade(roomy_bank, klass, tmp_path / "gb", "--cluster", "tcp://127.0.0.1:9")
    assert result.exit_code == 2 and "cannot reach a Dask scheduler at tcp://127.0.0.1:9" in (
        result.output
    )


def test_without_the_extra_the_flag_says_what_to_install(roomy_bank, klass, tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)
    result = grade(roomy_bank, klass, tmp_path / "gb", "--cluster", "local:2")
    assert result.exit_code == 2
    assert 'pip install "kata[cluster]"' in result.output
    assert not (tmp_path / "gb").exists()


def test_a_worker_killed_midway_loses_and_duplicates_nothing(roomy_bank, tmp_path, scheduler):
    """Dask reschedules the dead worker's jobs; each job is reported exactly once.

    Last in this file: the cluster is left with one worker while its nanny restarts the other.
    """
    address, client = scheduler
    slow = (roomy_bank.root / "solutions" / "relu_backward.py").read_text()
    slow = "import time\ntime.sleep(0.5)\n" + slow  # long enough to be running when killed
    tasks = []
    for index in range(8):
        path = tmp_path / str(index) / "relu_backward.py"
        path.parent.mkdir()
        path.write_text(slow)
        tasks.append(CheckTask("relu_backward", str(path)))
    pids = list(client.run(os.getpid).values())
    reported: list[tuple[int, float | None, str | None]] = []
    first = threading.Event()

    def on_done(index, _progress, result, error):
        reported.append((index, result.score if result else None, error))
        first.set()

    def kill_one_worker():
        first.wait(timeout=60)
        os.kill(pids[0], signal.SIGKILL)

    killer = threading.Thread(target=kill_one_worker)
    killer.start()
    cluster.run_checks_on_cluster(address, roomy_bank, tasks, 7, 2, False, on_done)
    killer.join()
    assert sorted(index for index, _, _ in reported) == list(range(8))
    assert all(score == 100 for _, score, _ in reported), reported

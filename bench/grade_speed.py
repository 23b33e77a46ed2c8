"""Jobs per second of `kata grade` with 1 and 2 workers, beside a naive loop.

Builds a synthetic class (default 60 students) from the bank's reference
solutions, buggy versions from tests/bank, stubs and broken files, then grades
it three ways, side by side in one run:
  - `kata grade --workers 1` and `--workers 2` (fresh gradebooks, --no-timing);
  - a naive loop: one `python -m pytest` process per job over the same hidden
    suite, the learner's file imported in-process by a conftest (no isolation),
    with pytest's plugin autoloading as installed (what a naive grader does).
Targets: kata grade >= 3x the naive loop, and >= 1.7x from 1 to 2 workers.
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from naive import write_naive_suite

from grader.catalog import open_bank
from grader.validate import subjects

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ["def oops(:\n", "import numpy as np\nraise RuntimeError('boom at import')\n"]


def build_class(folder: Path, katas: list, students: int, seed: int) -> list[tuple[str, str, Path]]:
    rng = random.Random(seed)
    mutants_of = {
        kata.id: [
            subject.path
            for subject in subjects(kata, ROOT / "tests" / "bank", folder.parent / "mutants")
            if subject.role == "mutant" and not subject.problem
        ]
        for kata in katas
    }
    jobs = []
    for index in range(students):
        student = f"student{index:03d}"
        (folder / student).mkdir(parents=True)
        for kata in katas:
            mutants = mutants_of[kata.id]
            roll = rng.random()
            target = folder / student / kata.file_name
            if roll < 0.4:
                shutil.copy(kata.solution, target)
            elif roll < 0.8 and mutants:
                shutil.copy(rng.choice(mutants), target)
            elif roll < 0.9:
                shutil.copy(kata.stub_path, target)
            else:
                target.write_text(rng.choice(BROKEN))
            jobs.append((student, kata.id, target))
    return jobs


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start


def naive_loop(jobs, bank, work: Path) -> float:
    start = time.perf_counter()
    for index, (_, kata_id, path) in enumerate(jobs):
        kata = bank.get(kata_id)
        folder = work / f"job{index}"
        write_naive_suite(folder, kata, path)
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
            capture_output=True,
            check=False,
            timeout=120,
            cwd=folder,
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--katas", default="relu_backward,bce_gradient,linear_layer")
    args = parser.parse_args()
    bank = open_bank()
    katas = [bank.get(k) for k in args.katas.split(",")]
    # `python -m grader` is the installed `kata` script minus any shim (pyenv's adds ~0.1 s).
    kata_cli = [sys.executable, "-m", "grader"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        jobs = build_class(work / "class", katas, args.students, seed=1)
        print(f"synthetic class: {args.students} students x {len(katas)} katas = {len(jobs)} jobs")
        results = {}
        for workers in (1, 2):
            command = [
                *kata_cli,
                "grade",
                str(work / "class"),
                "--katas",
                args.katas,
                "--no-timing",
                "--workers",
                str(workers),
                "--out",
                str(work / f"out{workers}"),
                "--seed",
                "1",
            ]
            results[f"kata grade --workers {workers}"] = timed(command)
        results["naive loop (pytest per job)"] = naive_loop(jobs, bank, work / "naive")
    for name, seconds in results.items():
        print(f"  {name:30s} {seconds:7.1f} s  {len(jobs) / seconds:6.2f} jobs/s")
    one, two = results["kata grade --workers 1"], results["kata grade --workers 2"]
    naive = results["naive loop (pytest per job)"]
    print(f"  speed-up 1 -> 2 workers: {one / two:.2f}x (target >= 1.7x)")
    print(f"  kata grade --workers 2 vs naive loop: {naive / two:.2f}x (target >= 3x)")


if __name__ == "__main__":
    main()

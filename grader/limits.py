"""What one learner child may use: a kata's ``[limits]`` table overrides each default."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    """What one learner child may use; a kata's metadata may override each."""

    call_timeout_s: float = 10.0
    load_timeout_s: float = 10.0
    memory_mb: int = 4096  # the whole tree where a cgroup can be made, else per process
    cpu_s: int = 300
    output_mb: int = 8
    nproc: int = 256  # processes in the whole tree (cgroup), or per user (rlimit)
    scratch_mb: int = 64  # the child's scratch folder, where it is a tmpfs

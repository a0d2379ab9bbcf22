"""What a shadow run records: each version's process, and the inputs' fingerprints."""

from __future__ import annotations

from dataclasses import dataclass, field

from .kinds import RunSide, RunStatus


# ----------------------------------------------------------------------------------------- runs
@dataclass(frozen=True)
class RunRecord:
    side: RunSide
    command: tuple[str, ...]
    cwd: str
    output_dir: str
    status: RunStatus
    exit_code: int | None = None  # None when it never exited by itself (timeout, interrupt)
    duration_seconds: float = 0.0
    peak_memory_bytes: int | None = None
    stdout_log: str = ""
    stderr_log: str = ""
    stderr_tail: tuple[str, ...] = ()  # last lines of stderr; failed and stderr empty: of stdout
    git_ref: str | None = None
    git_sha: str | None = None
    counters: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # e.g. unreadable counters file, leftover processes killed
    tail_log: str = ""  # the log stderr_tail comes from (dbt and others print errors on stdout)


@dataclass(frozen=True)
class InputFingerprint:
    path: str
    files: int
    bytes: int
    digest: str  # sha256 over relative paths, sizes and each file's xxh3-128 content hash
    changed_by: tuple[RunSide, ...] = ()  # versions during whose run the input changed


@dataclass(frozen=True)
class RunComparison:
    run_id: str
    run_dir: str
    production: RunRecord
    candidate: RunRecord
    inputs: tuple[InputFingerprint, ...] = ()
    baseline: RunRecord | None = None  # production run a second time (issue 15)

    @property
    def mutated_inputs(self) -> tuple[InputFingerprint, ...]:
        return tuple(i for i in self.inputs if i.changed_by)

"""What ``dataops-diff run`` costs beyond the pipelines and the diff; input fingerprint throughput.

    python bench/run_overhead.py                   # a 5 GB input folder in the system temp folder
    python bench/run_overhead.py --size-gb 0.2 --rows 100000 --repeat 1     # a quick check

1. Builds an input folder (removed at the end unless --keep) in a fresh folder inside --dir:
   many Parquet and CSV files of mixed sizes in hive partitions, ten medium files and a few
   large ones (3/5 of the bytes), incompressible numbers, seeded.
2. Fingerprint throughput, in this process: ``filetree.fingerprint`` (xxh3-128 at 1, 2 and 4
   threads, and with sha256 instead) against the round-1 code (one thread, one sha256 stream,
   1 MiB reads; kept below as ``legacy``), each from the page cache ("warm") and after evicting
   the folder's pages (``posix_fadvise(DONTNEED)``, "cold"; no root needed). MB/s of wall time
   and CPU seconds (user + system, every thread).
3. A realistic ``run``: a git repository whose two commits (production, candidate) read every
   input file with pyarrow and write the bench generator's realistic case (--rows), compared by
   key with ``--abs-tol 1e-6``, with today's fingerprint and the round-1 one, interleaved.
   Overhead = the run's wall time - the longer pipeline's own wall time (they run side by side;
   each writes it to its counters) - the wall time of ``compare`` on the same outputs (a fresh
   process, so start-up is counted once, in the diff); in CPU seconds likewise. What remains:
   the spec, both ``git worktree`` checkouts and removals, the input fingerprints, the run
   folder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _measure import measure
from compare import dataops_diff, ensure_data

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
MB = 1e6

PIPELINE = """import json, os, pathlib, resource, shutil, sys, time
import pyarrow.compute as pc, pyarrow.csv as pcsv, pyarrow.parquet as pq
start = time.monotonic()
inputs, output, data = sys.argv[1:4]
total = 0.0
for path in sorted(pathlib.Path(inputs).rglob("*")):
    if path.suffix in (".parquet", ".csv"):
        table = pq.read_table(path) if path.suffix == ".parquet" else pcsv.read_csv(path)
        total += pc.sum(table.column("value")).as_py() or 0.0
print(f"sum of values {total}")
shutil.copyfile(data, os.path.join(output, "orders.parquet"))
usage = resource.getrusage(resource.RUSAGE_SELF)
with open(os.environ["DATAOPS_DIFF_COUNTERS"], "w") as fh:
    json.dump({"cpu_seconds": usage.ru_utime + usage.ru_stime,
               "wall_seconds": time.monotonic() - start}, fh)
"""


def build_inputs(folder: Path, total: int, seed: int) -> tuple[int, int]:
    """Parquet and CSV files of mixed sizes: 3/5 of ``total`` in three large files, 1/5 in ten
    medium ones, the rest in small files (1/8 of them CSV) under ``day=...`` partitions."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)

    def table(rows: int) -> pa.Table:
        return pa.table({
            "id": np.arange(rows, dtype=np.int64), "value": rng.random(rows),
            "amount": rng.normal(100, 30, rows), "code": rng.integers(0, 2**62, rows),
        })  # fmt: skip

    def parquet(path: Path, nbytes: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = max(nbytes // 32, 1)  # four 8-byte numbers a row, barely compressible
        with pq.ParquetWriter(path, table(1).schema, compression="snappy") as writer:
            for start in range(0, rows, 1 << 20):
                writer.write_table(table(min(1 << 20, rows - start)))

    big, medium = total * 3 // 5 // 3, total // 5 // 10
    for i in range(3):
        parquet(folder / "large" / f"part-{i:02d}.parquet", big)
    for i in range(10):
        parquet(folder / "medium" / f"part-{i:02d}.parquet", medium)
    left, n = total - 3 * big - 10 * medium, 0
    while left > 0:
        size = int(min(left, rng.lognormal(13.5, 1.2)))  # median ~0.7 MB, a few of tens of MB
        day = folder / "events" / f"day=2026-11-{n % 30 + 1:02d}"
        if n % 8 == 7:
            day.mkdir(parents=True, exist_ok=True)
            pcsv.write_csv(table(max(size // 60, 1)), day / f"part-{n:05d}.csv")
        else:
            parquet(day / f"part-{n:05d}.parquet", size)
        left, n = left - size, n + 1
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def evict(folder: Path) -> None:
    """Drop the folder's pages from the page cache (clean pages; no root needed)."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def legacy(path: str) -> tuple[int, int, str]:
    """The round-1 fingerprint: one thread, one sha256 stream over paths, sizes and bytes."""
    from dataops_diff.filetree import walk_files

    digest, total = hashlib.sha256(), 0
    paths = walk_files(path, False)[0]
    for p in paths:
        size = os.stat(p).st_size
        total += size
        digest.update(f"{os.path.relpath(p, path)}\0{size}\0".encode())
        with open(p, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return len(paths), total, digest.hexdigest()


def threaded(threads: int, content_hash: Any = None) -> Callable[[str], Any]:
    """``filetree.fingerprint`` with ``threads`` threads (its default: ``filetree.THREADS``), and
    ``content_hash`` for each file's contents (its default: ``filetree.CONTENT_HASH``)."""
    from dataops_diff import filetree

    def run(path: str) -> Any:
        defaults = filetree.THREADS, filetree.CONTENT_HASH
        filetree.THREADS, filetree.CONTENT_HASH = threads, content_hash or defaults[1]
        try:
            return filetree.fingerprint(path)
        finally:
            filetree.THREADS, filetree.CONTENT_HASH = defaults

    return run


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def throughput(label: str, fn: Callable[[str], Any], folder: Path, cold: bool) -> dict[str, Any]:
    if cold:
        evict(folder)
    else:
        fn(str(folder))  # into the page cache
    wall, cpu = time.perf_counter(), _cpu()
    files, nbytes, _ = fn(str(folder))
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    row = {"label": label, "cache": "cold" if cold else "warm", "files": files, "bytes": nbytes,
           "wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
           "mb_per_second": round(nbytes / MB / wall)}  # fmt: skip
    print(f"  {label:<28} {row['cache']}: {wall:6.2f} s wall, {cpu:6.2f} s CPU, "
          f"{row['mb_per_second']:,} MB/s", flush=True)  # fmt: skip
    return row


def project(root: Path, inputs: Path, data: Path) -> Path:
    """A git repository: pipeline.py at tag v1 (production) and v2 (candidate)."""
    repo = root / "project"
    repo.mkdir()
    (repo / "pipeline.py").write_text(PIPELINE)
    (repo / ".gitignore").write_text(".dataops-diff/\n")
    command = ["{python}", "pipeline.py", "{input.events}", "{output}", f"{data}/{{side}}.parquet"]
    (repo / "dataops-diff.toml").write_text(
        f"[pipeline]\ncommand = {json.dumps(command)}\n[production]\nref = \"v1\"\n"
        f"[candidate]\nref = \"v2\"\n[inputs]\nevents = {json.dumps(str(inputs))}\n"
        "[defaults]\nkey = [\"id\"]\nabs_tol = 1e-6\n"
    )  # fmt: skip
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "v1"], ["tag", "v1"],
                 ["commit", "-q", "--allow-empty", "-m", "v2"], ["tag", "v2"]):  # fmt: skip
        subprocess.run([*git, *args], cwd=repo, check=True)
    return repo


def round1_executable(root: Path) -> Path:
    """``dataops-diff`` with the round-1 fingerprint (``legacy``) in place of today's."""
    exe = root / "dataops-diff-round1"
    exe.write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(BENCH)!r})\n"
        "from run_overhead import legacy\nimport dataops_diff.shadow.observe as observe\n"
        "observe.fingerprint = legacy\nfrom dataops_diff.cli import main\nsys.exit(main())\n"
    )
    exe.chmod(0o755)
    return exe


def run_once(repo: Path, work: Path, n: int, exe: Path, label: str) -> dict[str, Any]:
    out = work / f"run-{label}-{n}"
    report = out.with_suffix(".json")
    cmd = [str(exe), "run", "--spec", str(repo / "dataops-diff.toml"), "--run-dir",
           str(out), "--json", str(report), "--quiet"]  # fmt: skip
    start = time.perf_counter()
    m = measure(cmd, work / "logs", f"run-{label}-{n}")
    assert m.exit_code in (0, 1), f"run exited {m.exit_code}; see {work / 'logs'}"
    run = json.loads(report.read_text())["run"]
    # the pipelines' own clocks: a version's recorded duration ends at the poll that sees it
    # exit, which waits while the inputs are fingerprinted after the other version's exit
    sides = ("production", "candidate")
    pipelines = max(
        run[s]["counters"].get("wall_seconds", run[s]["duration_seconds"]) for s in sides
    )
    recorded = max(run[s]["duration_seconds"] for s in sides)
    outputs = [str(out / s / "output" / "orders.parquet") for s in ("production", "candidate")]
    cmp = [str(dataops_diff()), "compare", *outputs, "--key", "id", "--abs-tol", "1e-6"]
    d = measure([*cmp, "--quiet", "--json", str(work / f"compare-{n}.json")], work / "logs", "cmp")
    overhead = m.wall_seconds - pipelines - d.wall_seconds
    cpu = sum(run[s]["counters"]["cpu_seconds"] for s in ("production", "candidate"))
    cpu_overhead = m.cpu_seconds - cpu - d.cpu_seconds  # wait4 counts the pipelines in the run
    row = {"label": label, "run_wall": round(m.wall_seconds, 2), "run_cpu": round(m.cpu_seconds, 2),
           "recorded_duration": round(recorded, 2),
           "pipelines_wall": round(pipelines, 2), "pipelines_cpu": round(cpu, 2),
           "compare_wall": round(d.wall_seconds, 2), "compare_cpu": round(d.cpu_seconds, 2),
           "overhead_seconds": round(overhead, 2),
           "overhead_share": round(overhead / m.wall_seconds, 3),
           "overhead_cpu_seconds": round(cpu_overhead, 2),
           "overhead_cpu_share": round(cpu_overhead / m.cpu_seconds, 3),
           "load": os.getloadavg()[0],
           "elapsed": round(time.perf_counter() - start, 1)}  # fmt: skip
    print(f"  {label} {n}: {m.wall_seconds:.1f} s wall (pipelines {pipelines:.1f} s, compare "
          f"{d.wall_seconds:.1f} s): overhead {overhead:.2f} s = {row['overhead_share']:.1%}; "
          f"CPU {m.cpu_seconds:.1f} s (pipelines {cpu:.1f} s, compare {d.cpu_seconds:.1f} s): "
          f"overhead {cpu_overhead:.2f} s = {row['overhead_cpu_share']:.1%}; "
          f"load {row['load']:.1f}", flush=True)  # fmt: skip
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size-gb", type=float, default=5.0)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the outputs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument("--data-dir", type=Path, default=BENCH / "data")
    parser.add_argument("--results-dir", type=Path, default=BENCH / "results")
    parser.add_argument("--skip-run", action="store_true", help="throughput only")
    parser.add_argument("--keep", action="store_true", help="keep the input folder")
    args = parser.parse_args(argv)
    from dataops_diff.filetree import THREADS

    root = Path(tempfile.mkdtemp(prefix="dataops-diff-run-overhead-", dir=args.dir))
    try:
        inputs = root / "inputs"
        t = time.perf_counter()
        files, nbytes = build_inputs(inputs, int(args.size_gb * 1e9), args.seed)
        took = time.perf_counter() - t
        print(f"input folder: {files:,} files, {nbytes / 1e9:.2f} GB (built in {took:.0f} s); "
              f"load {os.getloadavg()}", flush=True)  # fmt: skip
        rows = []
        for cold in (False, True):
            rows.append(throughput("round 1 (one thread)", legacy, inputs, cold))
            sha = threaded(THREADS, hashlib.sha256)
            rows.append(throughput(f"sha256, {THREADS} threads", sha, inputs, cold))
            for threads in sorted({1, THREADS, 4}):
                label = f"xxh3-128, {threads} thread{'s' * (threads > 1)}"
                rows.append(throughput(label, threaded(threads), inputs, cold))
        runs = []
        if not args.skip_run:
            data = ensure_data(args.data_dir, args.rows, 42, "realistic")
            repo = project(root, inputs, data)
            old, new = round1_executable(root), dataops_diff()
            runs = [
                run_once(repo, root, n, exe, label)
                for n in range(args.repeat)
                for exe, label in ((old, "round-1"), (new, "now"))
            ]
        summary = {"files": files, "bytes": nbytes, "threads": THREADS,
                   "load": os.getloadavg(), "fingerprint": rows, "runs": runs}  # fmt: skip
        if runs:
            for label in ("round-1", "now"):
                mine = [r for r in runs if r["label"] == label]
                wall, cpu = (statistics.median(r[w] for r in mine) for w in (
                    "overhead_share", "overhead_cpu_share"))  # fmt: skip
                summary[f"median_overhead_{label}"] = {"wall_share": wall, "cpu_share": cpu}
                print(
                    f"median overhead, {label}: {wall:.1%} of the wall time, {cpu:.1%} of the "
                    "CPU time"
                )
        args.results_dir.mkdir(parents=True, exist_ok=True)
        (args.results_dir / "run_overhead.json").write_text(json.dumps(summary, indent=2) + "\n")
    finally:
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

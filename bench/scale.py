"""Scale benchmark: throughput by size, Spark local mode beside DuckDB, and a memory-bounded run.

    python bench/scale.py                       # the full run: 1M, 5M, 20M, 50M rows (hours)
    python bench/scale.py --sizes 100000 --spark-rows 100000 --limit-rows 100000 \\
        --memory-limit 400MB --sample-rows 100000 --sample-limit 330MB   # a quick check

In one run, each in a fresh process (``bench/_measure.py``: wall time, peak RSS from ``wait4``):
1. ``dataops-diff compare`` with the default engine (DuckDB, default memory limit) at every
   ``--sizes``; throughput is production rows per second of wall time;
2. the same with ``--engine spark`` (local mode, ``--spark-master local[*]``) at ``--spark-rows``;
3. ``--memory-limit`` (default 4GB) at ``--limit-rows``: it must complete, with the peak memory
   of the whole process tree (the diff, and Spark's JVM for Spark runs) under the limit;
4. the equality check on a smaller sample of the same generator: ``--sample-rows`` diffed with
   ``--sample-limit`` (small enough that DuckDB spills; the spill folder is watched) must give
   the same report as the in-memory run of step 1 (quantiles aside: DuckDB estimates them from a
   key-hash sample of about 65,536 rows beyond that many rows).
Every report is also checked against the generator's planted.json (bench/compare.py).

Results: a table on stdout and ``--results-dir/scale.json``. Exit code 0 when every check
passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from _measure import Measurement, measure
from compare import check_report, dataops_diff, read_report

BENCH = Path(__file__).resolve().parent
GIB = 2**30
SIZES = (1_000_000, 5_000_000, 20_000_000, 50_000_000)


def ensure_data(data_dir: Path, rows: int, seed: int) -> Path:
    folder = data_dir / f"n{rows}-s{seed}"
    if not (folder / "planted.json").exists():
        print(f"generating {rows:,} rows (seed {seed}) into {folder} ...", flush=True)
        cmd = [sys.executable, str(BENCH / "generate.py"), "--rows", str(rows)]
        subprocess.run([*cmd, "--seed", str(seed), "--out", str(folder)], check=True)
    return folder


class Watch:
    """Polls, while a run lasts, the peak memory of a process tree and the size of a folder."""

    def __init__(self, folder: Path | None) -> None:
        self.folder, self.tree_peak, self.spill_peak = folder, 0, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _poll(self) -> None:
        me = os.getpid()
        while not self._done.wait(0.1):
            self.tree_peak = max(self.tree_peak, _tree_rss(me) - _rss(me))
            if self.folder is not None:
                self.spill_peak = max(self.spill_peak, _folder_bytes(self.folder))


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _tree_rss(root: int) -> int:
    """RSS of ``root`` and all its descendants (Linux /proc; 0 elsewhere)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(_rss(pid) for pid in tree)


def _folder_bytes(folder: Path) -> int:
    total = 0
    for path, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(path, name))
            except OSError:
                continue
    return total


def run(
    label: str, folder: Path, work: Path, flags: list[str], watch: Path | None = None
) -> dict[str, Any]:
    """One ``dataops-diff compare`` of ``folder``'s two files; its measurement and checks."""
    report = work / f"{label}.json"
    report.unlink(missing_ok=True)
    files = [str(folder / "production.parquet"), str(folder / "candidate.parquet")]
    cmd = [str(dataops_diff()), "compare", *files, "--key", "id", "--quiet", "--json", str(report)]
    cmd += flags
    if watch is not None:
        shutil.rmtree(watch, ignore_errors=True)
        watch.mkdir(parents=True)
        cmd += ["--temp-dir", str(watch)]
    print(f"  {label}: {' '.join(cmd)}", flush=True)
    with Watch(watch) as w:
        m: Measurement = measure(cmd, work / "logs", label)
    planted = json.loads((folder / "planted.json").read_text())
    problems = [] if m.exit_code == 1 else [f"exit {m.exit_code}, expected 1 (differences)"]
    if not problems:
        problems = check_report(read_report(report), planted)
    rows = int(planted["production_rows"])
    per_second = round(rows / m.wall_seconds) if m.wall_seconds else 0
    peak = max(m.peak_rss_bytes, w.tree_peak)
    result: dict[str, Any] = {
        "label": label,
        "rows": rows,
        "command": cmd,
        "wall_seconds": round(m.wall_seconds, 2),
        "rows_per_second": per_second,
        "peak_rss_bytes": m.peak_rss_bytes,
        "peak_tree_bytes": peak,
        "spilled_bytes": w.spill_peak,
        "exit_code": m.exit_code,
        "problems": problems,
    }
    print(
        f"    {m.wall_seconds:8.1f} s  {per_second:>10,} rows/s  "
        f"peak {peak / GIB:5.2f} GiB  spilled {w.spill_peak / 2**20:,.0f} MiB  "
        f"exit {m.exit_code}  {'ok' if not problems else '; '.join(problems)}",
        flush=True,
    )
    return result


def _size(text: str) -> int:
    sys.path.insert(0, str(BENCH.parent))
    from dataops_diff.engines.memory import parse_size

    return parse_size(text)


def same_reports(a: Path, b: Path) -> list[str]:
    """Where two JSON reports' datasets differ, quantiles aside."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k != "quantiles"}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    left, right = (strip(read_report(p).get("datasets")) for p in (a, b))
    if left == right:
        return []
    return [f"{a.name} and {b.name} differ beyond quantiles"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(str(n) for n in SIZES))
    parser.add_argument("--spark-rows", type=int, default=5_000_000)
    parser.add_argument("--skip-spark", action="store_true")
    parser.add_argument("--limit-rows", type=int, default=50_000_000)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--sample-rows", type=int, default=5_000_000)
    parser.add_argument("--sample-limit", default="1GB")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=BENCH / "data")
    parser.add_argument("--results-dir", type=Path, default=BENCH / "results")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    work = args.results_dir / "scale"
    work.mkdir(parents=True, exist_ok=True)
    results, problems = [], []
    for rows in sizes:
        folder = ensure_data(args.data_dir, rows, args.seed)
        results.append(run(f"duckdb-{rows}", folder, work, []))
    if not args.skip_spark:
        folder = ensure_data(args.data_dir, args.spark_rows, args.seed)
        spark = ["--engine", "spark", "--spark-master", "local[*]"]
        results.append(run(f"spark-{args.spark_rows}", folder, work, spark))
    folder = ensure_data(args.data_dir, args.limit_rows, args.seed)
    limit = _size(args.memory_limit)
    limited = run(f"limited-{args.limit_rows}", folder, work, ["--memory-limit", args.memory_limit],
                  watch=work / "spill-limited")  # fmt: skip
    if limited["peak_tree_bytes"] >= limit:
        limited["problems"].append(
            f"peak {limited['peak_tree_bytes'] / GIB:.2f} GiB is not under the limit "
            f"{limit / GIB:.2f} GiB"
        )
    results.append(limited)
    folder = ensure_data(args.data_dir, args.sample_rows, args.seed)
    memory_run = work / f"duckdb-{args.sample_rows}.json"
    if args.sample_rows not in sizes:
        results.append(run(f"duckdb-{args.sample_rows}", folder, work, []))
    sample = run(f"spilled-{args.sample_rows}", folder, work,
                 ["--memory-limit", args.sample_limit], watch=work / "spill-sample")  # fmt: skip
    if not sample["spilled_bytes"]:
        sample["problems"].append(f"nothing spilled at --memory-limit {args.sample_limit}")
    sample["problems"] += same_reports(work / f"spilled-{args.sample_rows}.json", memory_run)
    results.append(sample)
    for r in results:
        problems += [f"{r['label']}: {p}" for p in r["problems"]]
    summary = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "memory_limit": args.memory_limit,
        "results": results,
        "problems": problems,
    }
    (args.results_dir / "scale.json").write_text(json.dumps(summary, indent=2) + "\n")
    print_table(results)
    for p in problems:
        print(f"PROBLEM {p}")
    print("all checks passed" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


def print_table(results: list[dict[str, Any]]) -> None:
    print()
    print("| run | rows | wall s | rows/s | peak memory (GiB) | spilled (MiB) | checks |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in results:
        checks = "ok" if not r["problems"] else "; ".join(r["problems"])
        print(
            f"| {r['label']} | {r['rows']:,} | {r['wall_seconds']:.1f} | "
            f"{r['rows_per_second'] or 0:,} | {r['peak_tree_bytes'] / GIB:.2f} | "
            f"{r['spilled_bytes'] / 2**20:,.0f} | {checks} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())

"""Scale benchmark: by size, side by side with datacompy and the read floor; Spark; memory bounds.

    python bench/scale.py                       # the full run: 1M, 5M, 20M, 50M rows (hours)
    python bench/scale.py --sizes 100000 --spark-rows 100000 --limit-rows 100000 \\
        --memory-limit 400MB --sample-rows 100000 --sample-limit 330MB   # a quick check
    python bench/scale.py --sizes '' --skip-spark --limit-rows 20000000 --memory-limit 1GB \\
        --sample-rows 0                         # one memory-bounded run only

In one run, each in a fresh process (``bench/_measure.py``: wall time, CPU seconds, peak RSS from
``wait4``), on the generator's ``--case`` (default realistic: float noise on every row, compared
with the tolerance planted.json gives, as datacompy is):
1. at every ``--sizes``, side by side: ``dataops-diff compare`` as users run it (default engine,
   profiles on), the same with ``--no-profiles``, the read floor (both files into Arrow; up to
   ``--read-max-rows``) and datacompy's PolarsCompare (up to ``--datacompy-max-rows``: beyond,
   it ran out of 20 GiB), then the ratios; throughput is production rows per second of wall time;
2. the default command and ``--no-profiles`` with ``--engine spark`` (local mode,
   ``--spark-master local[*]``) at ``--spark-rows``;
3. ``--memory-limit`` (default 4GB) at ``--limit-rows`` (0: skipped): it must complete, with the
   peak memory of the whole process tree (the diff, and Spark's JVM for Spark runs) under the
   limit;
4. the equality check on a smaller sample of the same generator (``--sample-rows``, 0: skipped)
   diffed with ``--sample-limit`` (small enough that DuckDB spills; the spill folder is
   watched) must give the same report as the in-memory run (quantiles aside: beyond 65,536 rows
   they come from a key-hash sample).
Every report is also checked against the generator's planted.json (bench/compare.py).

Results: tables on stdout and ``--results-dir/scale.json``. Exit code 0 when every check
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
from pathlib import Path
from typing import Any

from _measure import Measurement, measure
from _watch import Watch
from compare import check_report, dataops_diff, read_report

BENCH = Path(__file__).resolve().parent
GIB = 2**30
SIZES = (1_000_000, 5_000_000, 20_000_000, 50_000_000)


def ensure_data(data_dir: Path, rows: int, seed: int, case: str) -> Path:
    folder = data_dir / (f"n{rows}-s{seed}" + ("" if case == "favourable" else f"-{case}"))
    if not (folder / "planted.json").exists():
        print(f"generating {case} {rows:,} rows (seed {seed}) into {folder} ...", flush=True)
        cmd = [sys.executable, str(BENCH / "generate.py"), "--rows", str(rows), "--case", case]
        subprocess.run([*cmd, "--seed", str(seed), "--out", str(folder)], check=True)
    return folder


def tolerance(folder: Path) -> list[str]:
    tol = json.loads((folder / "planted.json").read_text()).get("abs_tol")
    return [] if tol is None else ["--abs-tol", repr(tol)]


def other(label: str, folder: Path, work: Path, workload: str) -> dict[str, Any]:
    """The read floor or datacompy (``_measure.py``), on the same files, tolerance included."""
    files = [str(folder / "production.parquet"), str(folder / "candidate.parquet")]
    cmd = [sys.executable, str(BENCH / "_measure.py"), workload, *files]
    if workload == "datacompy":
        tol = tolerance(folder)
        cmd += [str(work / f"{label}.json"), tol[1] if tol else "0"]
    print(f"  {label}: {' '.join(cmd)}", flush=True)
    m = measure(cmd, work / "logs", label)
    rows = int(json.loads((folder / "planted.json").read_text())["production_rows"])
    problems = [] if m.exit_code == 0 else [f"exit {m.exit_code} (see {work / 'logs'})"]
    return _result(label, rows, cmd, m, m.peak_rss_bytes, 0, problems)


def _result(label: str, rows: int, cmd: list[str], m: Measurement, peak: int, spilled: int,
            problems: list[str]) -> dict[str, Any]:  # fmt: skip
    per_second = round(rows / m.wall_seconds) if m.wall_seconds else 0
    print(
        f"    {m.wall_seconds:8.1f} s  CPU {m.cpu_seconds:7.1f} s  {per_second:>10,} rows/s  "
        f"peak {peak / GIB:5.2f} GiB  spilled {spilled / 2**20:,.0f} MiB  load "
        f"{os.getloadavg()[0]:.1f}  {'ok' if not problems else '; '.join(problems)}",
        flush=True,
    )
    return {
        "label": label, "rows": rows, "command": cmd, "wall_seconds": round(m.wall_seconds, 2),
        "cpu_seconds": round(m.cpu_seconds, 2), "rows_per_second": per_second,
        "peak_rss_bytes": m.peak_rss_bytes, "peak_tree_bytes": peak, "spilled_bytes": spilled,
        "exit_code": m.exit_code, "load": round(os.getloadavg()[0], 1), "problems": problems,
    }  # fmt: skip


def run(
    label: str, folder: Path, work: Path, flags: list[str], watch: Path | None = None
) -> dict[str, Any]:
    """One ``dataops-diff compare`` of ``folder``'s two files; its measurement and checks."""
    report = work / f"{label}.json"
    report.unlink(missing_ok=True)
    files = [str(folder / "production.parquet"), str(folder / "candidate.parquet")]
    cmd = [str(dataops_diff()), "compare", *files, "--key", "id", "--quiet", "--json", str(report)]
    cmd += tolerance(folder) + flags
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
    peak = max(m.peak_rss_bytes, w.tree_peak)
    rows = int(planted["production_rows"])
    return _result(label, rows, cmd, m, peak, w.spill_peak, problems)


RATIOS = (  # (what, numerator, denominator, field, target)
    ("datacompy time / dataops-diff time", "datacompy", "default", "wall_seconds", ">= 3"),
    ("  in CPU seconds", "datacompy", "default", "cpu_seconds", ">= 3"),
    ("  the same, --no-profiles", "datacompy", "no-profiles", "wall_seconds", ""),
    ("dataops-diff peak / datacompy peak", "default", "datacompy", "peak_tree_bytes", "<= 1/3"),
    ("dataops-diff time / read-only time", "default", "read", "wall_seconds", "<= 2"),
    ("  in CPU seconds", "default", "read", "cpu_seconds", "<= 2"),
    ("  the same, --no-profiles", "no-profiles", "read", "wall_seconds", ""),
    ("default time / --no-profiles time (what profiles cost)", "default", "no-profiles",
     "wall_seconds", ""),
)  # fmt: skip


def ratios(size: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's ratios at one size, from whichever runs took place."""
    out = []
    for what, top, bottom, field, target in RATIOS:
        if top in size and bottom in size and size[bottom][field]:
            value = size[top][field] / size[bottom][field]
            out.append({"ratio": what, "value": round(value, 2), "target": target})
    return out


def side_by_side(folder: Path, rows: int, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Step 1 at one size: default, --no-profiles, the read floor, datacompy; and the ratios."""
    size = {
        "default": run(f"duckdb-{rows}", folder, work, []),
        "no-profiles": run(f"duckdb-{rows}-no-profiles", folder, work, ["--no-profiles"]),
    }
    if rows <= args.read_max_rows:
        size["read"] = other(f"read-{rows}", folder, work, "read")
    if rows <= args.datacompy_max_rows:
        size["datacompy"] = other(f"datacompy-{rows}", folder, work, "datacompy")
    return {"rows": rows, "runs": list(size.values()), "ratios": ratios(size)}


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
    parser.add_argument("--case", choices=("realistic", "favourable"), default="realistic")
    parser.add_argument("--read-max-rows", type=int, default=20_000_000)
    parser.add_argument("--datacompy-max-rows", type=int, default=5_000_000)
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

    def data(rows: int) -> Path:
        return ensure_data(args.data_dir, rows, args.seed, args.case)

    print(f"load average at the start: {os.getloadavg()}", flush=True)
    by_size = [side_by_side(data(rows), rows, work, args) for rows in sizes]
    results = [r for size in by_size for r in size["runs"]]
    if not args.skip_spark:
        spark = ["--engine", "spark", "--spark-master", "local[*]"]
        for tag, more in (("", []), ("-no-profiles", ["--no-profiles"])):
            label = f"spark-{args.spark_rows}{tag}"
            results.append(run(label, data(args.spark_rows), work, spark + more))
    if args.limit_rows:
        results.append(limited_run(data(args.limit_rows), work, args))
    if args.sample_rows:
        results += spill_check(data(args.sample_rows), work, args, sizes)
    problems = [f"{r['label']}: {p}" for r in results for p in r["problems"]]
    summary = {
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "case": args.case, "memory_limit": args.memory_limit, "load_at_end": os.getloadavg(),
        "results": results, "ratios": {s["rows"]: s["ratios"] for s in by_size},
        "problems": problems,
    }  # fmt: skip
    (args.results_dir / "scale.json").write_text(json.dumps(summary, indent=2) + "\n")
    print_table(results)
    for size in by_size:
        print(f"\nratios at {size['rows']:,} rows ({args.case}):")
        for r in size["ratios"]:
            target = f" (target {r['target']})" if r["target"] else ""
            print(f"  {r['ratio']}: {r['value']:.2f}{target}")
    for p in problems:
        print(f"PROBLEM {p}")
    print("all checks passed" if not problems else f"{len(problems)} problem(s)")
    return 0 if not problems else 1


def limited_run(folder: Path, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Step 3: the default command under --memory-limit; the whole process tree must stay under."""
    limit = _size(args.memory_limit)
    limited = run(f"limited-{args.limit_rows}", folder, work, ["--memory-limit", args.memory_limit],
                  watch=work / "spill-limited")  # fmt: skip
    if limited["peak_tree_bytes"] >= limit:
        limited["problems"].append(
            f"peak {limited['peak_tree_bytes'] / GIB:.2f} GiB is not under the limit "
            f"{limit / GIB:.2f} GiB"
        )
    return limited


def spill_check(
    folder: Path, work: Path, args: argparse.Namespace, sizes: list[int]
) -> list[dict[str, Any]]:
    """Step 4: a run that spills gives the report of the in-memory run."""
    out = []
    memory_run = work / f"duckdb-{args.sample_rows}.json"
    if args.sample_rows not in sizes:
        out.append(run(f"duckdb-{args.sample_rows}", folder, work, []))
    sample = run(f"spilled-{args.sample_rows}", folder, work,
                 ["--memory-limit", args.sample_limit], watch=work / "spill-sample")  # fmt: skip
    if not sample["spilled_bytes"]:
        sample["problems"].append(f"nothing spilled at --memory-limit {args.sample_limit}")
    sample["problems"] += same_reports(work / f"spilled-{args.sample_rows}.json", memory_run)
    return [*out, sample]


def print_table(results: list[dict[str, Any]]) -> None:
    print()
    print("| run | rows | wall s | CPU s | rows/s | peak memory (GiB) | spilled (MiB) | checks |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in results:
        checks = "ok" if not r["problems"] else "; ".join(r["problems"])
        print(
            f"| {r['label']} | {r['rows']:,} | {r['wall_seconds']:.1f} | {r['cpu_seconds']:.1f} | "
            f"{r['rows_per_second'] or 0:,} | {r['peak_tree_bytes'] / GIB:.2f} | "
            f"{r['spilled_bytes'] / 2**20:,.0f} | {checks} |"
        )


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark ``dataops-diff compare`` against the read floor and datacompy, and check its counts.

    python bench/compare.py --rows 1000000 [--seed 42] [--repeat 3] [--skip-datacompy]
        [--case favourable|realistic|all-changed|all-tolerated|wide [--columns M --mix mixed|float]]

Generates the data once per (rows, seed) under --data-dir, then runs every tool in a fresh process,
--repeat times, interleaved, and reports the median wall time and peak RSS of each (see docs/
benchmarks.md). dataops-diff's JSON report is checked against planted.json on every run.
Exit code: 0 when every run exited as expected and the counts check passed, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from _measure import Measurement, measure

BENCH = Path(__file__).resolve().parent
GB = 1e9
READ, DATAOPS, LEAN, DATACOMPY, IDENTICAL = (
    "read-only floor (pyarrow read_table)",
    "dataops-diff compare",
    "dataops-diff compare --no-profiles",  # the same work as datacompy: no distribution profiles
    "datacompy PolarsCompare",
    "dataops-diff, identical files",
)
REPORTS = {DATAOPS: "dd.json", LEAN: "dd-lean.json"}


def ensure_data(
    data_dir: Path, rows: int, seed: int, case: str = "favourable", columns: int = 200,
    mix: str = "mixed",
) -> Path:  # fmt: skip
    """The data set of a case, generated once (bench/generate.py, or bench/wide.py)."""
    if case == "wide":
        folder = data_dir / f"wide-n{rows}-m{columns}-{mix}-s{seed}"
        cmd = [sys.executable, str(BENCH / "wide.py"), "--columns", str(columns), "--mix", mix]
    else:
        tail = "" if case == "favourable" else f"-{case}"
        folder = data_dir / f"n{rows}-s{seed}{tail}"
        cmd = [sys.executable, str(BENCH / "generate.py"), "--case", case]
    if not (folder / "planted.json").exists():
        print(f"generating {case} {rows:,} rows (seed {seed}) into {folder} ...", flush=True)
        cmd += ["--rows", str(rows), "--seed", str(seed), "--out", str(folder)]
        subprocess.run(cmd, check=True)
    copy = folder / "identical" / "production.parquet"
    if not copy.exists():
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(folder / "production.parquet", copy)
    return folder


def check_report(report: dict[str, Any], planted: dict[str, Any]) -> list[str]:
    """Each disagreement of the report with planted.json: 'field: report X, planted Y'."""
    datasets = report.get("datasets", [])
    if len(datasets) != 1:
        return [f"datasets: report has {len(datasets)}, expected 1"]
    d = datasets[0]
    columns = {c["name"]: c for c in d["columns"]}
    schema = d["schema"]
    removed = set(planted["columns_only_in_production"])
    common = [n for n in planted["production_columns"] if n not in removed and n != "id"]
    expected: dict[str, Any] = {
        "status": "compared",
        "identical": False,
        "production_rows": planted["production_rows"],
        "candidate_rows": planted["candidate_rows"],
        "matched_rows": planted["matched_rows"],
        "only_in_production": planted["only_in_production"],
        "only_in_candidate": planted["only_in_candidate"],
        "rows_with_differences": planted["rows_with_differences"],
        "null_key_rows_production": 0,
        "null_key_rows_candidate": 0,
        "duplicates (non-zero fields)": {},
        "compared columns": sorted(common),
        "changed columns (unequal)": planted["changed_columns"],
        "columns with compared != matched_rows": {},
        "columns with null_to_value or value_to_null": planted.get("null_changes", {}),
        "schema.only_in_production": planted["columns_only_in_production"],
        "schema.only_in_candidate": planted["columns_only_in_candidate"],
        "schema.type_changes (columns)": [t["column"] for t in planted["type_changes"]],
    }
    actual: dict[str, Any] = {k: d.get(k) for k in list(expected)[:10]}
    actual["duplicates (non-zero fields)"] = {k: v for k, v in d["duplicates"].items() if v}
    actual["compared columns"] = sorted(columns)
    actual["changed columns (unequal)"] = {
        n: c["unequal"] for n, c in columns.items() if c["unequal"]
    }
    actual["columns with compared != matched_rows"] = {
        n: c["compared"] for n, c in columns.items() if c["compared"] != planted["matched_rows"]
    }
    actual["columns with null_to_value or value_to_null"] = {
        n: [c["null_to_value"], c["value_to_null"]]
        for n, c in columns.items()
        if c["null_to_value"] or c["value_to_null"]
    }
    for side in ("only_in_production", "only_in_candidate"):
        actual[f"schema.{side}"] = [c["name"] for c in schema[side]]
    actual["schema.type_changes (columns)"] = [t["column"] for t in schema["type_changes"]]
    return [
        f"{k}: report {actual[k]!r}, planted {v!r}" for k, v in expected.items() if actual[k] != v
    ]


def check_identical(report: dict[str, Any]) -> list[str]:
    d = (report.get("datasets") or [{}])[0]
    problems = []
    if d.get("identical") is not True:
        problems.append(f"identical: report {d.get('identical')!r}, expected True")
    for k in ("only_in_production", "only_in_candidate", "rows_with_differences"):
        if d.get(k) != 0:
            problems.append(f"{k}: report {d.get(k)!r}, expected 0")
    return problems


def datacompy_agreement(counts: dict[str, Any], planted: dict[str, Any]) -> str:
    """Informational: whether datacompy's own counts match planted.json (not part of the check)."""
    keys = ["only_in_production", "only_in_candidate", "matched_rows", "changed_columns"]
    keys += ["columns_only_in_production", "columns_only_in_candidate"]
    differ = [f"{k}: datacompy {counts[k]!r}, planted {planted[k]!r}" for k in keys]
    differ = [line for k, line in zip(keys, differ, strict=True) if counts[k] != planted[k]]
    return "datacompy's counts " + ("agree with planted.json" if not differ else "; ".join(differ))


def read_report(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {"datasets": [{"problem": f"no JSON report at {path}"}]}
    report: dict[str, Any] = json.loads(path.read_text())
    return report


def dataops_diff() -> Path:
    """The console script of the dataops-diff installed next to this Python (or, for an A/B
    run of a snapshot, the executable ``DATAOPS_DIFF_BENCH_EXECUTABLE`` names)."""
    chosen = os.environ.get("DATAOPS_DIFF_BENCH_EXECUTABLE")
    return Path(chosen) if chosen else Path(sys.executable).parent / "dataops-diff"


def compile_bytecode() -> None:
    """Byte-compile the installed dataops_diff package, as installing a wheel does.

    An editable install leaves that to the first import, and PYTHONDONTWRITEBYTECODE (set on
    some CI machines and sandboxes) stops it, so every run would compile every module again
    (about 50 ms) while the other tools run from compiled wheels.
    """
    where = "import dataops_diff, os; print(os.path.dirname(dataops_diff.__file__))"
    found = subprocess.run([sys.executable, "-c", where], capture_output=True, text=True)
    if found.returncode == 0 and found.stdout.strip():
        cmd = [sys.executable, "-m", "compileall", "-q", found.stdout.strip()]
        subprocess.run(cmd, check=False, capture_output=True)


def workloads(
    folder: Path, work: Path, skip_datacompy: bool, abs_tol: float | None = None,
    baseline: str | None = None,
) -> dict[str, tuple[list[str], int]]:  # fmt: skip
    """Tool label -> (command, expected exit code). ``abs_tol``: given to both tools;
    ``baseline``: another dataops-diff executable, run beside this one (paired A/B)."""
    dataops = str(dataops_diff())
    production, candidate = str(folder / "production.parquet"), str(folder / "candidate.parquet")
    copy = str(folder / "identical" / "production.parquet")
    measure_py = [sys.executable, str(BENCH / "_measure.py")]
    tol = [] if abs_tol is None else ["--abs-tol", repr(abs_tol)]
    flags = ["--key", "id", *tol, "--quiet", "--json"]
    table = {
        READ: ([*measure_py, "read", production, candidate], 0),
        DATAOPS: ([dataops, "compare", production, candidate, *flags, str(work / "dd.json")], 1),
        LEAN: (
            [
                dataops,
                "compare",
                production,
                candidate,
                "--no-profiles",
                *flags,
                str(work / "dd-lean.json"),
            ],
            1,
        ),
        DATACOMPY: (
            [
                *measure_py,
                "datacompy",
                production,
                candidate,
                str(work / "dc.json"),
                repr(abs_tol or 0.0),
            ],
            0,
        ),
        IDENTICAL: ([dataops, "compare", production, copy, *flags, str(work / "same.json")], 0),
    }
    if skip_datacompy:
        del table[DATACOMPY]
    if baseline:
        for label, report in REPORTS.items():
            cmd = [baseline, *table[label][0][1:-1], str(work / f"base-{report}")]
            table[f"baseline: {label.removeprefix('dataops-diff ')}"] = (cmd, 1)
    return table


def run_all(
    tools: dict[str, tuple[list[str], int]], repeat: int, work: Path, planted: dict[str, Any]
) -> tuple[dict[str, list[Measurement]], list[str]]:
    """Interleaved repeats; a tool that exits unexpectedly is not run again."""
    runs: dict[str, list[Measurement]] = {label: [] for label in tools}
    problems: list[str] = []
    failed: set[str] = set()
    for r in range(repeat):
        for label, (cmd, expected_code) in tools.items():
            if label in failed:
                continue
            for arg in cmd:  # no stale report from an earlier run can pass for this one
                if arg.startswith(str(work)) and arg.endswith(".json"):
                    Path(arg).unlink(missing_ok=True)
            m = measure(cmd, work / "logs", f"{label.split()[0]}-{r}")
            print(
                f"  run {r + 1}/{repeat}  {label:<38} {m.wall_seconds:7.2f} s "
                f"({m.cpu_seconds:6.1f} CPU s)  {m.peak_rss_bytes / GB:6.2f} GB"
                f"  exit {m.exit_code}",
                flush=True,
            )
            if m.exit_code != expected_code:
                failed.add(label)
                err = (work / "logs" / f"{label.split()[0]}-{r}.err").read_text(errors="replace")
                tail = " | ".join(err.strip().splitlines()[-3:])
                problems.append(f"{label}: exit {m.exit_code}, expected {expected_code}: {tail}")
                continue
            runs[label].append(m)
            if label in REPORTS or label.startswith("baseline"):
                lean = "--no-profiles" in label
                report = REPORTS.get(label) or f"base-{REPORTS[LEAN if lean else DATAOPS]}"
                found = check_report(read_report(work / report), planted)
                problems += [f"{label} run {r + 1}: {p}" for p in found]
            elif label == IDENTICAL:
                found = check_identical(read_report(work / "same.json"))
                problems += [f"{label} run {r + 1}: {p}" for p in found]
    return runs, problems


def summarise(runs: dict[str, list[Measurement]]) -> dict[str, dict[str, Any]]:
    return {
        label: {
            "median_seconds": statistics.median(m.wall_seconds for m in ms),
            "median_cpu_seconds": statistics.median(m.cpu_seconds for m in ms),
            "median_peak_bytes": int(statistics.median(m.peak_rss_bytes for m in ms)),
            "seconds": [round(m.wall_seconds, 3) for m in ms],
            "peak_bytes": [m.peak_rss_bytes for m in ms],
        }
        for label, ms in runs.items()
        if ms
    }


def ratios(summary: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    def get(label: str, what: str) -> float | None:
        return summary[label][what] if label in summary else None

    rows = []
    for label, tag in ((LEAN, " (--no-profiles)"), (DATAOPS, " (default, with profiles)")):
        rows += [
            (f"datacompy time / dataops-diff time{tag}", DATACOMPY, label, "median_seconds",
             ">=", 3.0),
            (f"dataops-diff peak / datacompy peak{tag}", label, DATACOMPY, "median_peak_bytes",
             "<=", 1 / 3),
            (f"dataops-diff time / read-only time{tag}", label, READ, "median_seconds", "<=", 2.0),
            (f"  same in CPU seconds: datacompy / dataops-diff{tag}", DATACOMPY, label,
             "median_cpu_seconds", ">=", 3.0),
            (f"  same in CPU seconds: dataops-diff / read-only{tag}", label, READ,
             "median_cpu_seconds", "<=", 2.0),
        ]  # fmt: skip
    out = []
    for name, top, bottom, what, op, target in rows:
        a, b = get(top, what), get(bottom, what)
        value = a / b if a is not None and b else None
        met = None if value is None else (value >= target if op == ">=" else value <= target)
        out.append({"ratio": name, "value": value, "target": f"{op} {target:.3g}", "met": met})
    return out


def print_table(summary: dict[str, dict[str, Any]], ratio_rows: list[dict[str, Any]]) -> None:
    print(f"\n{'tool':<40} {'median s':>9} {'CPU s':>8} {'peak GB':>8}")
    for label, s in summary.items():
        print(
            f"{label:<40} {s['median_seconds']:9.2f} {s['median_cpu_seconds']:8.2f}"
            f" {s['median_peak_bytes'] / GB:8.2f}"
        )
    print(f"\n{'ratio':<64} {'measured':>9} {'target':>9}")
    for r in ratio_rows:
        value = "n/a" if r["value"] is None else f"{r['value']:.2f}"
        verdict = {True: "met", False: "MISSED", None: ""}[r["met"]]
        print(f"{r['ratio']:<64} {value:>9} {r['target']:>9}  {verdict}")


def machine() -> dict[str, Any]:
    mem = Path("/proc/meminfo").read_text().split()[1] if Path("/proc/meminfo").exists() else "0"
    versions: dict[str, str | None] = {}
    for dist in ("dataops-diff", "duckdb", "pyarrow", "polars", "datacompy"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "cpus": os.cpu_count(),
        "memory_bytes": int(mem) * 1024,
        "python": platform.python_version(),
        "versions": versions,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-datacompy", action="store_true")
    parser.add_argument(
        "--case", choices=("favourable", "realistic", "all-changed", "all-tolerated", "wide"),
        default="favourable",
    )  # fmt: skip
    parser.add_argument("--columns", type=int, default=200, help="wide: columns besides the key")
    parser.add_argument("--mix", choices=("mixed", "float"), default="mixed", help="wide")
    parser.add_argument("--baseline", help="another dataops-diff executable to run beside (A/B)")
    parser.add_argument("--data-dir", type=Path, default=BENCH / "data")
    parser.add_argument("--results-dir", type=Path, default=BENCH / "results")
    args = parser.parse_args(argv)
    if not dataops_diff().exists():
        parser.error(f"no {dataops_diff()}; install dataops-diff into this Python first")
    folder = ensure_data(args.data_dir, args.rows, args.seed, args.case, args.columns, args.mix)
    compile_bytecode()
    planted = json.loads((folder / "planted.json").read_text())
    name = folder.name if args.case != "favourable" else str(args.rows)
    work = args.results_dir / f"compare-{name}"
    tools = workloads(folder, work, args.skip_datacompy, planted.get("abs_tol"), args.baseline)
    print(
        f"{args.case}: {args.rows:,} rows, seed {args.seed}, {args.repeat} interleaved runs per"
        f" tool, files in {folder.name}",
        flush=True,
    )
    runs, problems = run_all(tools, args.repeat, work, planted)
    summary = summarise(runs)
    ratio_rows = ratios(summary)
    print_table(summary, ratio_rows)
    if (work / "dc.json").exists() and DATACOMPY in summary:
        print(f"\n{datacompy_agreement(json.loads((work / 'dc.json').read_text()), planted)}")
    result = {
        "rows": args.rows,
        "case": args.case,
        "seed": args.seed,
        "repeat": args.repeat,
        "machine": machine(),
        "tools": summary,
        "ratios": ratio_rows,
        "planted": planted,
        "check": "PASS" if not problems else "FAIL",
        "problems": problems,
    }
    out = args.results_dir / f"compare-{name}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nresults: {out}")
    for p in problems:
        print(f"  problem: {p}")
    print(
        f"CORRECTNESS CHECK: {result['check']} (dataops-diff's counts vs planted.json"
        f"{', identical files' if IDENTICAL in tools else ''})"
    )
    return 0 if not problems else 1


if __name__ == "__main__":
    raise SystemExit(main())

"""The Spark engine's column profiles alone, today's against a git ref's, paired in one session.

    python bench/spark_profiles.py --rows 1000000 --ref 37356b3 [--repeat 2] [--case realistic]

Reads the generator's two files (bench/generate.py, under --data-dir) into one local Spark session
(``local[*]``), then profiles every column both versions share with today's
``engines/spark_profile.py`` and with the one at ``--ref``, interleaved, --repeat times. Prints
the wall time and the CPU seconds of the JVM and of this process for each (the JVM's from
/proc: the machine is shared, and CPU seconds vary much less than wall time), and whether both
gave the same profiles apart from quantiles (the plan changed how quantiles are taken).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))


def load_at(ref: str) -> Any:
    """``dataops_diff.engines.spark_profile`` as it was at ``ref``, as a sibling module."""
    source = subprocess.run(
        ["git", "show", f"{ref}:dataops_diff/engines/spark_profile.py"],
        cwd=BENCH.parent, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    name = f"dataops_diff.engines._spark_profile_at_{ref[:12]}"
    module = types.ModuleType(name)
    module.__package__ = "dataops_diff.engines"  # its relative imports: today's neighbours
    sys.modules[name] = module
    exec(compile(source, f"{ref}:spark_profile.py", "exec"), module.__dict__)
    return module


def jvm_cpu() -> float:
    """CPU seconds of this process's children (the JVM pyspark started), from /proc."""
    ticks, me = 0, os.getpid()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == me:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ref", required=True)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--case", default="realistic")
    parser.add_argument("--data-dir", type=Path, default=BENCH / "data")
    args = parser.parse_args(argv)
    from compare import ensure_data

    from dataops_diff.datasets import open_dataset
    from dataops_diff.engines import get_engine, spark_profile
    from dataops_diff.engines.arrow_types import category
    from dataops_diff.engines.sql.profile import ProfileColumn

    folder = ensure_data(args.data_dir, args.rows, 42, args.case)
    old = load_at(args.ref)
    engine: Any = get_engine("spark")
    refs = [open_dataset(str(folder / f"{s}.parquet"), s) for s in ("production", "candidate")]
    schemas = tuple(
        engine.schema(r, s) for r, s in zip(refs, ("production", "candidate"), strict=True)
    )
    spark = engine._spark
    for ref, view in zip(refs, ("bench_p", "bench_c"), strict=True):
        spark.read.parquet(str(ref.path)).createOrReplaceTempView(view)
    shared = {c.name: c.type for c in schemas[1]}
    columns = [ProfileColumn(c.name, c.name, category(c.type)) for c in schemas[0]
               if c.name in shared]  # fmt: skip
    sample = spark_profile.Sample((("id",), ("id",)), args.rows)

    def collect(_phase: str, query: str) -> list[dict[str, Any]]:
        return [row.asDict() for row in spark.sql(query).collect()]

    runs: dict[str, Callable[[], Any]] = {
        "today": lambda: spark_profile.profile_columns(
            collect, ("bench_p", "bench_c"), schemas, columns, sample
        ),
        args.ref: lambda: old.profile_columns(collect, ("bench_p", "bench_c"), schemas, columns),
    }
    print(f"{len(columns)} columns, {args.rows:,} rows; load {os.getloadavg()}", flush=True)
    found: dict[str, Any] = {}
    for n in range(args.repeat):
        for label, work in runs.items():
            wall, jvm = time.perf_counter(), jvm_cpu()
            me = resource.getrusage(resource.RUSAGE_SELF)
            found[label] = work()
            after = resource.getrusage(resource.RUSAGE_SELF)
            mine = after.ru_utime + after.ru_stime - me.ru_utime - me.ru_stime
            print(f"  {n} {label:>10}: {time.perf_counter() - wall:7.1f} s wall, JVM "
                  f"{jvm_cpu() - jvm:6.1f} CPU s, Python {mine:4.1f} CPU s, load "
                  f"{os.getloadavg()[0]:.1f}", flush=True)  # fmt: skip

    def strip(shifts: dict[str, Any]) -> dict[str, Any]:
        return {k: (v.production.histogram, v.candidate.histogram, v.production.mean,
                    v.production.top, v.candidate.top) for k, v in shifts.items()}  # fmt: skip

    same = strip(found["today"]) == strip(found[args.ref])
    print(f"histograms, means and top values equal: {same}")
    engine.close()
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())

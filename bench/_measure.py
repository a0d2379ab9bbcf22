"""How the benchmark measures a tool, and the workloads that have no command line of their own.

``measure(cmd)`` runs one command in a fresh process and returns its wall time and the peak resident
set size of that process alone, from ``os.wait4`` (``ru_maxrss``, KiB on Linux).

Linux copies the parent's peak RSS into the child's ``ru_maxrss`` at ``execve``, so the measuring
process must stay small: this module and compare.py import only the standard library at the top;
the workloads below import pyarrow, polars and datacompy inside the child.

Workloads, run as ``python bench/_measure.py WORKLOAD PRODUCTION CANDIDATE [OUT_JSON]``:
- ``read``: both files into Arrow with ``pyarrow.parquet.read_table`` (the floor any tool pays);
- ``datacompy``: ``polars.read_parquet`` both, ``datacompy.PolarsCompare(..., join_columns="id",
  abs_tol=ABS_TOL)``,
  ``.matches()`` and ``.report()``; writes datacompy's counts to OUT_JSON for cross-checking.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Measurement:
    wall_seconds: float
    peak_rss_bytes: int
    exit_code: int
    cpu_seconds: float = 0.0  # user + system time of the child: robust when other work runs


def measure(cmd: list[str], log_dir: Path, label: str) -> Measurement:
    """Run ``cmd`` to completion; its stdout and stderr go to ``log_dir/label.{out,err}``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    with (log_dir / f"{label}.out").open("wb") as out, (log_dir / f"{label}.err").open("wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4; tell Popen
    cpu = usage.ru_utime + usage.ru_stime
    return Measurement(wall, usage.ru_maxrss * 1024, proc.returncode, cpu)


def _read(production: str, candidate: str, *_: str) -> dict[str, Any]:
    import pyarrow.parquet as pq

    tables = [pq.read_table(production), pq.read_table(candidate)]
    return {"rows": [t.num_rows for t in tables]}


def _datacompy(production: str, candidate: str, abs_tol: str = "0") -> dict[str, Any]:
    import datacompy
    import polars as pl

    compare = datacompy.PolarsCompare(
        pl.read_parquet(production),
        pl.read_parquet(candidate),
        join_columns="id",
        abs_tol=float(abs_tol),
        df1_name="production",
        df2_name="candidate",
    )
    matches = compare.matches()
    compare.report()
    return {
        "matches": bool(matches),
        "only_in_production": compare.df1_unq_rows.height,
        "only_in_candidate": compare.df2_unq_rows.height,
        "matched_rows": compare.intersect_rows.height,
        "changed_columns": {
            s["column"]: s["unequal_cnt"] for s in compare.column_stats if s["unequal_cnt"]
        },
        "columns_only_in_production": sorted(compare.df1_unq_columns()),
        "columns_only_in_candidate": sorted(compare.df2_unq_columns()),
    }


WORKLOADS: dict[str, Callable[..., dict[str, Any]]] = {"read": _read, "datacompy": _datacompy}


def main(argv: list[str]) -> int:
    if len(argv) not in (3, 4, 5) or argv[0] not in WORKLOADS:
        usage = "PRODUCTION CANDIDATE [OUT_JSON [ABS_TOL]]"
        print(f"usage: _measure.py {{{','.join(WORKLOADS)}}} {usage}")
        return 2
    result = WORKLOADS[argv[0]](argv[1], argv[2], *argv[4:])
    if len(argv) >= 4:
        Path(argv[3]).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

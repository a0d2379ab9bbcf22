"""The extra cost of ``dataops-diff run --baseline`` on the realistic case (issue 15).

    python bench/baseline.py --rows 1000000 [--seed 42] [--repeat 1] [--data-dir bench/data]

The data is bench/generate.py's realistic case (imported, generated once): production, and a
candidate with planted changes and float noise on every row of its noisy columns. The baseline is
production again with float noise of its own on the same columns (``generate._noise``, another
seed), as a second run of a job summing in another order would write it; nothing else differs.

The pipeline is a shell ``cp`` of the version's file into its output folder (``{side}.parquet``:
the baseline runs production's command, so its own file is picked by ``{side}``), from a small git
repository (the baseline needs production's ref), with one small declared input. No tolerance is
set: the float noise is what the baseline learns. So the figure is what ``--baseline`` itself adds
to a run: a third concurrent run and one more input fingerprint, and one more diff (production
against the baseline, for the noise floor). Each run's copied outputs are deleted once measured
(the reports and logs stay under bench/results/). Both commands run in fresh processes, interleaved,
``--repeat`` times; wall time, CPU seconds (user + system, children included) and peak RSS are
reported (bench/_measure.py). Exit code 0 when every run gave the expected verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from _measure import Measurement, measure
from compare import compile_bytecode, dataops_diff, ensure_data

BENCH = Path(__file__).resolve().parent
SPEC = """\
[pipeline]
shell = true
command = "cp DATA/{side}.parquet {output}/orders.parquet"
timeout = 3600

[production]
ref = "HEAD"

[inputs]
params = "params.json"

[defaults]
key = ["id"]
"""
GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.invalid",
       "-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"]  # fmt: skip


def baseline_file(folder: Path, seed: int) -> Path:
    """Production with float noise of its own on the noisy columns (written once)."""
    out = folder / "baseline.parquet"
    if out.exists():
        return out
    import numpy as np
    import pyarrow.parquet as pq
    from generate import _noise

    source = pq.ParquetFile(folder / "production.parquet")
    tmp = out.with_suffix(".partial")
    with pq.ParquetWriter(tmp, source.schema_arrow) as writer:
        for group in range(source.num_row_groups):
            rng = np.random.default_rng([seed, group, 9])  # a stream generate.py does not use
            writer.write_table(_noise(source.read_row_group(group), rng))
    os.replace(tmp, out)
    return out


def project(folder: Path, root: Path) -> Path:
    """A git repository holding the spec (its command copies from ``folder``) and its input."""
    if (root / "dataops-diff.toml").exists():
        return root
    root.mkdir(parents=True)
    data = shlex.quote(str(folder.resolve())).replace("\\", "\\\\").replace('"', '\\"')
    (root / "dataops-diff.toml").write_text(SPEC.replace("DATA", data))
    (root / "params.json").write_text('{"threshold": 0.5}\n')
    (root / ".gitignore").write_text(".dataops-diff/\n")
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "bench"]):
        subprocess.run([*GIT, *args], cwd=root, check=True)
    return root


def check(report: dict[str, Any], baseline: bool) -> list[str]:
    """What is wrong with a run's report (empty: nothing)."""
    problems = []
    if report["verdict"]["status"] != "FAIL":
        problems.append(f"verdict {report['verdict']['status']}, expected FAIL (planted changes)")
    run = report["run"]
    if baseline and (run.get("baseline") or {}).get("status") != "succeeded":
        problems.append("the baseline run did not succeed")
    if not baseline and run.get("baseline") is not None:
        problems.append("a baseline ran without --baseline")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--data-dir", type=Path, default=BENCH / "data")
    args = ap.parse_args(argv)
    compile_bytecode()
    folder = ensure_data(args.data_dir, args.rows, args.seed, "realistic")
    baseline_file(folder, args.seed)
    root = project(folder, args.data_dir / f"baseline-project-n{args.rows}-s{args.seed}")
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    results = BENCH / "results" / f"baseline-{stamp}"
    runs: dict[str, list[Measurement]] = {"run": [], "run --baseline": []}
    failed: list[str] = []
    for i in range(args.repeat):
        for label, extra in (("run", []), ("run --baseline", ["--baseline"])):
            tag = f"{'baseline' if extra else 'plain'}-{i}"
            report = results / f"{tag}.json"
            spec = str(root / "dataops-diff.toml")
            cmd = [str(dataops_diff()), "run", "--spec", spec, "--run-dir", str(results / tag),
                   "--json", str(report), "--quiet", *extra]  # fmt: skip
            m = measure(cmd, results / "logs", tag)
            runs[label].append(m)
            if m.exit_code != 1:
                failed.append(f"{tag}: exit code {m.exit_code}, expected 1 (see {results}/logs)")
                continue
            failed += [f"{tag}: {p}" for p in check(json.loads(report.read_text()), bool(extra))]
            for side in ("production", "candidate", "baseline"):  # GBs of copies: measured, gone
                shutil.rmtree(results / tag / side / "output", ignore_errors=True)
    summary = {
        label: {
            "wall_seconds": statistics.median(m.wall_seconds for m in ms),
            "cpu_seconds": statistics.median(m.cpu_seconds for m in ms),
            "peak_rss_gb": max(m.peak_rss_bytes for m in ms) / 1e9,
        }
        for label, ms in runs.items()
    }
    plain, both = summary["run"], summary["run --baseline"]
    summary["ratio"] = {
        "wall": both["wall_seconds"] / plain["wall_seconds"],
        "cpu": both["cpu_seconds"] / plain["cpu_seconds"],
    }
    print(json.dumps({"rows": args.rows, "seed": args.seed, "repeat": args.repeat, **summary},
                     indent=2))  # fmt: skip
    for problem in failed:
        print(f"FAILED {problem}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

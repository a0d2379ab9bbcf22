"""The baseline run (issue 15): production a second time, at the same time, in its own checkout.

The job is tests/test_runner_support.JOB with a prologue: the baseline alone (DATAOPS_DIFF_SIDE
is "baseline") can be told to fail (BASELINE_EXIT), sleep (BASELINE_SLEEP) or append to an input
(BASELINE_MUTATE) or leave an orders.csv without the key column (BASELINE_NO_KEY), since it
otherwise gets production's command and environment.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hostile import invoke, snapshot
from test_runner_support import JOB, git, make_repo, spec_with

from dataops_diff import api
from dataops_diff.cli import main
from dataops_diff.model import Report, RunComparison, to_dict
from dataops_diff.shadow import baseline_pairs
from dataops_diff.shadow import run as shadow
from dataops_diff.spec import load_spec, with_overrides

BASELINE_JOB = (
    r"""
import os, sys, time
if os.environ["DATAOPS_DIFF_SIDE"] == "baseline":
    if os.environ.get("BASELINE_SLEEP"):
        os.environ["JOB_SLEEP"] = os.environ["BASELINE_SLEEP"]
    if os.environ.get("BASELINE_MUTATE"):
        os.environ["JOB_MUTATE"] = os.environ["BASELINE_MUTATE"]
    if os.environ.get("BASELINE_EXIT"):
        os.environ["JOB_EXIT"] = os.environ["BASELINE_EXIT"]
        os.environ["JOB_STDERR"] = "baseline broke on purpose"
    if os.environ.get("BASELINE_NO_KEY"):
        import atexit
        path = os.path.join(os.environ["DATAOPS_DIFF_OUTPUT"], "orders.csv")
        atexit.register(lambda: open(path, "w").write("name,value\nx,1\n"))
"""
    + JOB
)
CANDIDATE_JOB = BASELINE_JOB.replace('"JOB_OFFSET", "0"', '"JOB_OFFSET", "7"')


def repo_of(tmp_path: Path, spec: str, candidate: str | None = None) -> Path:
    """A git repo running BASELINE_JOB: tag production, then tag candidate (``candidate``'s job)."""
    repo = make_repo(tmp_path / "repo", spec)
    (repo / "job.py").write_text(BASELINE_JOB)
    git(repo, "commit", "-qam", "production: the baseline prologue")
    git(repo, "tag", "-f", "production")
    if candidate is not None:
        (repo / "job.py").write_text(candidate)
        git(repo, "commit", "-qam", "candidate")
    git(repo, "tag", "-f", "candidate")
    return repo


def repo_with(tmp_path: Path, env: str = "", extra: str = "", candidate: str | None = None) -> Path:
    """A git repo (tags production, candidate) whose spec asks for a baseline."""
    spec = spec_with(production_env=env, extra=extra).replace(
        "timeout = 20\n", "timeout = 20\nbaseline = true\n"
    )
    return repo_of(tmp_path, spec, candidate)


def execute(repo: Path, tmp_path: Path) -> RunComparison:
    return shadow.execute(load_spec(str(repo / "dataops-diff.toml")), str(tmp_path / "run"))


def times(record_output: str) -> tuple[float, float]:
    start, end = Path(os.path.dirname(record_output), "times").read_text().split()
    return float(start), float(end)


def test_three_runs_overlap_in_time(tmp_path: Path) -> None:
    run = execute(repo_with(tmp_path, 'JOB_SLEEP = "1"'), tmp_path)
    assert run.baseline is not None
    spans = [times(r.output_dir) for r in (run.production, run.candidate, run.baseline)]
    assert max(start for start, _ in spans) < min(end for _, end in spans)  # all three at once


def test_the_baseline_has_its_own_checkout_folder_logs_and_record(tmp_path: Path) -> None:
    repo = repo_with(tmp_path)
    run = execute(repo, tmp_path)
    p, b = run.production, run.baseline
    assert b is not None
    assert (b.side, b.status, b.exit_code) == ("baseline", "succeeded", 0)
    assert (b.git_ref, b.git_sha) == (p.git_ref, p.git_sha)
    assert b.git_sha == git(repo, "rev-parse", "production")
    assert b.cwd != p.cwd  # its own worktree of the same commit, never production's
    assert b.cwd != run.candidate.cwd
    assert not os.path.exists(b.cwd)  # removed afterwards
    assert git(repo, "worktree", "list").count("\n") == 0
    run_dir = tmp_path / "run"
    assert sorted(os.listdir(run_dir)) == ["baseline", "candidate", "production"]
    assert b.output_dir == str(run_dir / "baseline" / "output")
    assert b.stdout_log == str(run_dir / "baseline" / "stdout.log")
    assert Path(b.stdout_log).read_text() == "done baseline\n"
    assert Path(p.stdout_log).read_text() == "done production\n"
    assert b.command == p.command  # production's command; only its folders differ
    written = [Path(r.output_dir, "orders.csv").read_bytes() for r in (p, b)]
    assert written[0] == written[1]
    assert b.peak_memory_bytes is not None
    assert b.peak_memory_bytes > 1_000_000


def test_without_a_baseline_nothing_changes(tmp_path: Path) -> None:
    repo = repo_of(tmp_path, spec_with())
    run = execute(repo, tmp_path)
    assert run.baseline is None
    assert sorted(os.listdir(tmp_path / "run")) == ["candidate", "production"]


def test_the_flag_asks_for_a_baseline_too(tmp_path: Path) -> None:
    repo = repo_of(tmp_path, spec_with())
    spec = with_overrides(load_spec(str(repo / "dataops-diff.toml")), baseline=True)
    run = shadow.execute(spec, str(tmp_path / "run"))
    assert run.baseline is not None
    assert run.baseline.status == "succeeded"


def test_baseline_pairs_production_with_the_baseline(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, 'JOB_DATASETS = "orders,extra"')
    run = execute(repo, tmp_path)
    pairs = baseline_pairs(load_spec(str(repo / "dataops-diff.toml")), run)
    assert [name for name, _, _, _ in pairs] == ["extra", "orders"]
    for name, p, b, spec in pairs:
        assert p is not None
        assert b is not None
        assert p.path == str(tmp_path / "run" / "production" / "output" / f"{name}.csv")
        assert b.path == str(tmp_path / "run" / "baseline" / "output" / f"{name}.csv")
        assert spec.key == ("id",)


def test_a_failed_baseline_keeps_its_logs_and_only_warns(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, 'BASELINE_EXIT = "3"')
    report = api.run(load_spec(str(repo / "dataops-diff.toml")), run_dir=str(tmp_path / "run"))
    assert report.run is not None
    b = report.run.baseline
    assert b is not None
    assert (b.status, b.exit_code) == ("failed", 3)
    assert b.stderr_tail == ("baseline broke on purpose",)
    assert Path(b.stderr_log).read_text() == "baseline broke on purpose\n"  # the log is kept
    assert report.run.production.status == "succeeded"
    assert [d.name for d in report.datasets] == ["orders"]  # the comparison went on
    assert report.verdict.status == "WARN"  # identical candidate: only the warning
    (reason,) = report.verdict.reasons
    assert (reason.rule, reason.severity, reason.measured) == ("run", "warn", "failed")
    assert reason.message.startswith("baseline run failed (exit code 3), so the noise floor")
    assert "judged without one" in reason.message
    assert b.stderr_log in reason.message


def test_a_baseline_whose_outputs_cannot_be_diffed_only_warns(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, 'BASELINE_NO_KEY = "1"')
    report = api.run(load_spec(str(repo / "dataops-diff.toml")), run_dir=str(tmp_path / "run"))
    assert report.run is not None
    assert report.run.baseline is not None
    assert report.run.baseline.status == "succeeded"
    assert (report.baseline, report.floor) == (None, ())  # no floor, and the report says so
    assert report.verdict.status == "WARN"
    (reason,) = report.verdict.reasons
    assert (reason.rule, reason.severity) == ("run", "warn")
    assert reason.message.startswith("the noise floor could not be learnt from the baseline run")
    assert "'id'" in reason.message  # the missing key column is named
    assert reason.message.endswith("the candidate is judged without one")


def test_a_failed_baseline_does_not_hide_a_real_difference(tmp_path: Path) -> None:
    candidate = CANDIDATE_JOB
    repo = repo_with(tmp_path, 'BASELINE_EXIT = "4"', candidate=candidate)
    report = api.run(load_spec(str(repo / "dataops-diff.toml")), run_dir=str(tmp_path / "run"))
    assert report.verdict.status == "FAIL"
    rules = [(r.rule, r.severity) for r in report.verdict.reasons]
    assert rules == [("changed_rows", "fail"), ("run", "warn")]
    assert report.datasets[0].rows_with_differences == 1


def test_the_timeout_stops_the_baseline_too(tmp_path: Path) -> None:
    repo = repo_with(tmp_path, 'BASELINE_SLEEP = "30"', extra="")
    spec = with_overrides(load_spec(str(repo / "dataops-diff.toml")), timeout=2)
    report = api.run(spec, run_dir=str(tmp_path / "run"))
    assert report.run is not None
    assert report.run.baseline is not None
    assert report.run.baseline.status == "timed_out"
    assert report.run.baseline.exit_code is None
    assert (report.run.production.status, report.run.candidate.status) == ("succeeded",) * 2
    assert report.verdict.status == "WARN"
    assert report.verdict.reasons[0].message.startswith("baseline run timed out, so")


def test_an_input_changed_by_the_baseline_is_caught(tmp_path: Path) -> None:
    events = tmp_path / "repo" / "inputs" / "events.csv"
    repo = repo_with(tmp_path, f'BASELINE_MUTATE = "{events}", BASELINE_SLEEP = "1"')
    report = api.run(load_spec(str(repo / "dataops-diff.toml")), run_dir=str(tmp_path / "run"))
    assert report.run is not None
    (changed,) = report.run.mutated_inputs
    assert changed.changed_by == ("baseline",)  # production and candidate had finished
    assert report.verdict.status == "FAIL"
    (reason,) = [r for r in report.verdict.reasons if r.rule == "inputs"]
    assert reason.message == f"input '{events}' was changed by baseline"


def test_leftover_processes_of_the_baseline_are_stopped(tmp_path: Path) -> None:
    from test_runner_support import alive

    run = execute(repo_with(tmp_path, 'JOB_CHILD = "1"'), tmp_path)
    assert run.baseline is not None
    _, child = Path(tmp_path / "run" / "baseline" / "pids").read_text().split()
    assert not alive(int(child))
    assert run.baseline.warnings == ("processes left running in its process group were stopped",)


def test_the_report_carries_the_baseline_record(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repo_of(tmp_path, spec_with())
    before = snapshot(repo / "inputs")
    out = invoke(capsys, "run", "--spec", repo / "dataops-diff.toml", "--baseline", "--quiet",
                 "--run-dir", tmp_path / "run", "--json", tmp_path / "report.json")  # fmt: skip
    assert out.code == 0, out.stderr
    data = json.loads((tmp_path / "report.json").read_text())
    assert data["run"]["baseline"]["side"] == "baseline"
    assert data["run"]["baseline"]["output_dir"] == str(tmp_path / "run" / "baseline" / "output")
    assert Report.from_dict(data) == Report.from_dict(to_dict(Report.from_dict(data)))
    assert Report.from_dict(data).run.baseline.status == "succeeded"  # type: ignore[union-attr]
    assert snapshot(repo / "inputs") == before


def test_an_existing_run_folder_is_never_written_over(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repo_with(tmp_path)
    (tmp_path / "run" / "baseline").mkdir(parents=True)
    (tmp_path / "run" / "baseline" / "stdout.log").write_text("an earlier run\n")
    out = invoke(capsys, "run", "--spec", repo / "dataops-diff.toml", "--quiet",
                 "--run-dir", tmp_path / "run")  # fmt: skip
    assert out.code == 2
    assert "already exists; pass a new --run-dir" in out.stderr
    assert (tmp_path / "run" / "baseline" / "stdout.log").read_text() == "an earlier run\n"
    assert git(repo, "worktree", "list").count("\n") == 0


def test_the_live_display_shows_the_baseline_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = repo_with(tmp_path)
    out = invoke(capsys, "run", "--spec", repo / "dataops-diff.toml", "--run-dir", tmp_path / "r")
    assert out.code == 0, out.stderr
    states = {line.split(" (")[0] for line in out.stderr.splitlines()}
    assert {"baseline: running", "baseline: succeeded"} <= states
    assert {"production: succeeded", "candidate: succeeded"} <= states


# A deliberately nondeterministic pipeline: every run draws its own noise, as real jobs do.
# events.parquet (key id, 300 rows): run_at, the run's timestamp (volatile); row_uuid, a UUID per
# row and run (volatile); amount_total, 8 fixed positive terms summed in an order drawn per run
# (the last bits differ in about half the rows); category, deterministic. top.parquet (key id):
# the top 50 of 150 scores, where 100 rows tie at the top and each run breaks the tie at random
# (about 25 rows only on each side between two runs). REAL_CHANGE=1 (the candidate's env) plants
# a real change on top: amount_total + 0.5 in ids 1-3 and category "z" in ids 1-5.
NOISY_JOB = r"""
import os, random, uuid
from datetime import datetime, timedelta, timezone
import pyarrow as pa, pyarrow.parquet as pq
out = os.environ["DATAOPS_DIFF_OUTPUT"]
real = os.environ.get("REAL_CHANGE") == "1"
run = random.Random()  # a fresh order every run
# the run's timestamp; the random microseconds keep two runs started in the same microsecond
# (concurrent runs on an idle machine) from writing the same value
at = datetime.now(timezone.utc) + timedelta(microseconds=run.randrange(1, 10**6))
ids = list(range(1, 301))
def total(i):
    terms = [random.Random(i * 100 + k).uniform(0.01, 0.1) for k in range(8)]
    run.shuffle(terms)
    t = 0.0
    for x in terms:
        t += x
    return t + (0.5 if real and i <= 3 else 0.0)
pq.write_table(pa.table({
    "id": ids,
    "amount_total": [total(i) for i in ids],
    "run_at": pa.array([at] * len(ids), pa.timestamp("us", tz="UTC")),
    "row_uuid": [str(uuid.uuid4()) for _ in ids],
    "category": ["z" if real and i <= 5 else "abc"[i % 3] for i in ids],
}), os.path.join(out, "events.parquet"))
score = {i: 1.0 if i <= 100 else i / 1000 for i in range(1, 151)}
top = sorted(score, key=lambda i: (-score[i], run.random()))[:50]
pq.write_table(pa.table({"id": top, "score": [score[i] for i in top]}),
               os.path.join(out, "top.parquet"))
"""
NOISY_SPEC = """
[pipeline]
command = ["{python}", "job.py"]
timeout = 900  # generous: the machine running the tests may be loaded
[production]
ref = "production"
[candidate]
ref = "candidate"
env = { REAL_CHANGE = "@REAL@" }
[defaults]
key = ["id"]
"""
NOISE_FINDINGS = {("values", "events", "amount_total"), ("values", "events", "run_at"),
                  ("values", "events", "row_uuid"), ("rows_only_in_production", "top", None),
                  ("rows_only_in_candidate", "top", None)}  # fmt: skip


def noisy_run(tmp_path: Path, *flags: str, real_change: bool = False) -> Report:
    """The noisy pipeline shadow-run under the strict default policy; its JSON report."""
    spec = NOISY_SPEC.replace("@REAL@", "1" if real_change else "0")
    repo = make_repo(tmp_path / "repo", spec)
    (repo / "job.py").write_text(NOISY_JOB)
    git(repo, "commit", "-qam", "the noisy job")
    git(repo, "tag", "-f", "production")
    git(repo, "tag", "-f", "candidate")
    report = tmp_path / "report.json"
    code = main(["run", "--spec", str(repo / "dataops-diff.toml"), "--quiet", "--run-dir",
                 str(tmp_path / "run"), "--json", str(report), *flags])  # fmt: skip
    loaded = Report.from_dict(json.loads(report.read_text()))
    assert code == (1 if loaded.verdict.status == "FAIL" else 0)
    return loaded


def findings(report: Report, classification: str) -> set[tuple[str, str | None, str | None]]:
    return {(f.kind, f.dataset, f.column) for f in report.verdict.findings
            if f.classification == classification}  # fmt: skip


def test_a_nondeterministic_pipeline_fails_a_strict_policy_without_a_baseline(
    tmp_path: Path,
) -> None:
    report = noisy_run(tmp_path)
    assert report.verdict.status == "FAIL"
    assert findings(report, "unexpected") == NOISE_FINDINGS  # its own noise, taken for changes
    assert findings(report, "noise") == set()
    assert (report.baseline, report.floor) == (None, ())


def test_with_a_baseline_the_same_pipeline_passes(tmp_path: Path) -> None:
    report = noisy_run(tmp_path, "--baseline")
    assert report.verdict.status == "PASS", report.verdict.reasons
    assert findings(report, "noise") == NOISE_FINDINGS
    assert findings(report, "unexpected") == set()
    floors = {f.name: f for f in report.floor}
    events = floors["events"]
    volatile = {c.name for c in events.columns if c.volatile}
    assert volatile == {"run_at", "row_uuid"}
    amount = events.column("amount_total")
    assert amount is not None
    assert 0 < amount.unequal < 300
    assert amount.max_abs_diff is not None
    assert amount.max_abs_diff < 1e-15
    assert events.column("category").unequal == 0  # type: ignore[union-attr]
    assert floors["top"].only_in_production > 0
    assert floors["top"].only_in_baseline == floors["top"].only_in_production


def test_a_real_change_on_top_of_the_noise_still_fails_and_is_told_apart(tmp_path: Path) -> None:
    report = noisy_run(tmp_path, "--baseline", real_change=True)
    assert report.verdict.status == "FAIL"
    real = {("values", "events", "amount_total"), ("values", "events", "category")}
    assert findings(report, "unexpected") == real  # amount_total: beyond the floor's envelope
    assert findings(report, "noise") == NOISE_FINDINGS - real
    failing = {(r.dataset, r.column) for r in report.verdict.reasons if r.severity == "fail"}
    assert failing == {("events", "amount_total"), ("events", "category")}
    events = next(d for d in report.datasets if d.name == "events")
    category = next(c for c in events.columns if c.name == "category")
    assert category.unequal == 5

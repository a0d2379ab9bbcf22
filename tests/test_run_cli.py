"""`dataops-diff run` and `dataops-diff init`: the contract (exit codes, stderr, files written)."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Any

import pytest
from test_runner_support import JOB, alive, cli, git, make_repo, spec_with, wait_for

from dataops_diff.cli import main
from dataops_diff.spec import STARTER_SPEC

CANDIDATE_JOB = JOB.replace('"JOB_OFFSET", "0"', '"JOB_OFFSET", "7"')


def run_cli(repo: Path, tmp_path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    report = tmp_path / "report.json"
    code = main(["run", "--spec", str(repo / "dataops-diff.toml"), "--json", str(report),
                 "--quiet", *extra])  # fmt: skip
    return code, json.loads(report.read_text()) if report.exists() else {}


def datasets(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in report["datasets"]}


def test_identical_versions_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "repo", spec_with())
    code, report = run_cli(repo, tmp_path)
    assert code == 0
    assert report["command"] == "run"
    assert report["verdict"]["status"] == "PASS"
    assert datasets(report)["orders"]["identical"] is True
    run = report["run"]
    assert run["production"]["git_sha"] == git(repo, "rev-parse", "production")
    assert run["run_dir"].startswith(str(repo / ".dataops-diff" / "runs"))  # the default
    assert capsys.readouterr().out.startswith("PASS")


def test_candidate_differences_exit_1(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", spec_with(), candidate_job=CANDIDATE_JOB)
    code, report = run_cli(repo, tmp_path)
    assert code == 1
    orders = datasets(report)["orders"]
    assert orders["rows_with_differences"] == 1
    (value,) = [c for c in orders["columns"] if c["name"] == "value"]
    assert value["samples"] == [{"key": {"id": 3}, "production": 30, "candidate": 37}]


def test_candidate_crash_is_a_finding_and_its_outputs_are_compared(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", spec_with('JOB_EXIT = "3", JOB_STDERR = "boom"'))
    code, report = run_cli(repo, tmp_path)
    assert code == 1
    assert report["run"]["candidate"]["status"] == "failed"
    assert report["run"]["candidate"]["stderr_tail"] == ["boom"]
    assert datasets(report)["orders"]["identical"] is True
    assert any(r["rule"] == "run" for r in report["verdict"]["reasons"])


def test_candidate_crash_before_writing_leaves_datasets_only_in_production(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", spec_with('JOB_EXIT = "1", JOB_DATASETS = ""'))
    code, report = run_cli(repo, tmp_path)
    assert code == 1
    assert datasets(report)["orders"]["status"] == "only_in_production"


def test_production_crash_exits_2_pointing_to_its_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(
        tmp_path / "repo", spec_with(production_env='JOB_EXIT = "4", JOB_STDERR = "bad"')
    )
    code, report = run_cli(repo, tmp_path)
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    log = report["run"]["production"]["stderr_log"]
    assert err[-1] == (
        "dataops-diff: error: production run failed with exit code 4, so nothing can be "
        f"compared; see its log '{log}'"
    )
    assert Path(log).read_text() == "bad\n"
    assert report["run"]["production"]["stderr_tail"] == ["bad"]
    assert report["datasets"] == []
    assert report["verdict"]["status"] == "ERROR"
    assert [r["severity"] for r in report["verdict"]["reasons"]] == ["error"]  # no noise reasons


def test_production_timeout_exits_2(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", spec_with(production_env='JOB_SLEEP = "30"'))
    code, report = run_cli(repo, tmp_path, "--timeout", "0.5")
    assert code == 2
    assert report["run"]["production"]["status"] == "timed_out"


def test_candidate_timeout_is_a_finding(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", spec_with('JOB_SLEEP = "30"', 'JOB_SLEEP = "0"'))
    code, report = run_cli(repo, tmp_path, "--timeout", "3")  # production needs well under 3 s
    assert code == 1
    assert report["run"]["candidate"]["status"] == "timed_out"
    assert report["run"]["candidate"]["exit_code"] is None
    assert datasets(report)["orders"]["status"] == "only_in_production"


def test_dataset_produced_by_one_version_only(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", spec_with('JOB_DATASETS = "orders,extra"'))
    code, report = run_cli(repo, tmp_path)
    assert code == 1
    by_name = datasets(report)
    assert by_name["extra"]["status"] == "only_in_candidate"
    assert by_name["extra"]["production_path"] is None
    assert by_name["orders"]["identical"] is True


LISTED = '\n[datasets.payments]\npath = "payments.csv"\nkey = ["id"]\n'


def test_listed_dataset_missing_from_both_outputs_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo", spec_with(extra=LISTED))
    code, _ = run_cli(repo, tmp_path)
    assert code == 2
    assert "datasets.payments: neither version wrote 'payments.csv'" in capsys.readouterr().err


def test_listed_dataset_missing_from_the_candidate(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", spec_with(
        'JOB_DATASETS = "orders"', 'JOB_DATASETS = "orders,payments"', LISTED))  # fmt: skip
    code, report = run_cli(repo, tmp_path)
    assert code == 1
    assert datasets(report)["payments"]["status"] == "only_in_production"


def test_counters_are_compared(tmp_path: Path) -> None:
    candidate = """JOB_COUNTERS = '{{"rows_dropped": 5}}'"""
    production = """JOB_COUNTERS = '{{"rows_dropped": 2}}'"""
    repo = make_repo(tmp_path / "repo", spec_with(candidate, production))
    code, report = run_cli(repo, tmp_path)
    assert report["run"]["production"]["counters"] == {"rows_dropped": 2.0}
    assert report["run"]["candidate"]["counters"] == {"rows_dropped": 5.0}
    assert code == 1  # the default policy: counters may not change
    assert any("rows_dropped" in r["message"] for r in report["verdict"]["reasons"])


def test_an_input_mutated_by_a_version_fails_the_run(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", spec_with())
    events = repo / "inputs" / "events.csv"
    (repo / "dataops-diff.toml").write_text(spec_with(f'JOB_MUTATE = "{events}", JOB_SLEEP = "0.5"',
                                                      'JOB_SLEEP = "0"'))  # fmt: skip
    code, report = run_cli(repo, tmp_path)
    assert code == 1
    (fp,) = report["run"]["inputs"]
    assert "candidate" in fp["changed_by"]
    assert any(r["rule"] == "inputs" for r in report["verdict"]["reasons"])


def test_existing_run_dir_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "repo", spec_with())
    (tmp_path / "taken").mkdir()
    code, _ = run_cli(repo, tmp_path, "--run-dir", str(tmp_path / "taken"))
    assert code == 2
    assert "already exists; pass a new --run-dir" in capsys.readouterr().err
    assert git(repo, "worktree", "list").count("\n") == 0


def test_missing_spec_points_to_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--spec", str(tmp_path / "none.toml")]) == 2
    assert "run `dataops-diff init`" in capsys.readouterr().err


def test_live_display_off_a_terminal_prints_one_line_per_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo", spec_with())
    assert main(["run", "--spec", str(repo / "dataops-diff.toml")]) == 0
    err = capsys.readouterr().err.splitlines()
    states = [line.split(" (")[0] for line in err]
    assert sorted(states) == [
        "candidate: running",
        "candidate: succeeded",
        "production: running",
        "production: succeeded",
    ]
    assert states.index("production: running") < states.index("production: succeeded")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_stops_everything_and_exits_130(tmp_path: Path, sig: signal.Signals) -> None:
    repo = make_repo(tmp_path / "repo", spec_with('JOB_SLEEP = "30", JOB_CHILD = "1"',
                                                  'JOB_SLEEP = "30", JOB_CHILD = "1"'))  # fmt: skip
    run_dir = tmp_path / "run"
    proc = cli(
        "run", "--spec", str(repo / "dataops-diff.toml"), "--run-dir", str(run_dir), "--quiet"
    )
    pid_files = [run_dir / side / "pids" for side in ("production", "candidate")]
    for f in pid_files:
        wait_for(f)
    pids = [int(p) for f in pid_files for p in f.read_text().split()]
    assert all(alive(p) for p in pids)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert f"interrupted by {sig.name}: both runs were stopped" in err
    assert [p for p in pids if alive(p)] == []  # no orphans: jobs and their children are gone
    assert (run_dir / "production" / "stdout.log").exists()  # logs are kept
    assert git(repo, "worktree", "list").count("\n") == 0  # worktrees removed


def test_init_writes_a_starter_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dataops-diff.toml"
    assert main(["init", str(path)]) == 0
    assert path.read_text() == STARTER_SPEC
    assert capsys.readouterr().out.startswith(f"wrote {path}")
    path.write_text("# mine\n")
    assert main(["init", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert path.read_text() == "# mine\n"


def test_init_default_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["init"]) == 0
    assert os.path.exists(tmp_path / "dataops-diff.toml")


def test_the_spec_policy_decides(tmp_path: Path) -> None:
    policy = "\n[policy]\nallow_new_datasets = true\n"
    repo = make_repo(tmp_path / "repo", spec_with('JOB_DATASETS = "orders,extra"', extra=policy))
    code, report = run_cli(repo, tmp_path)
    assert datasets(report)["extra"]["status"] == "only_in_candidate"
    assert report["verdict"]["status"] == "PASS"
    assert code == 0
    code, _ = run_cli(repo, tmp_path, "--fail-on", "warn", "--warn-only", "new_datasets")
    assert code == 0  # allowed, so not even a warning


def test_a_bad_spec_policy_names_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = make_repo(tmp_path / "repo", spec_with(extra="\n[policy]\nallow_everything = true\n"))
    code, _ = run_cli(repo, tmp_path)
    assert code == 2
    assert f"{repo / 'dataops-diff.toml'}: policy" in capsys.readouterr().err

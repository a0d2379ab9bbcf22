"""Hostile baseline runs: bad `baseline` values, no production ref, awkward paths, SIGTERM.

Each case asserts the contract of tests/hostile.py: the exit code, the one stderr line naming the
culprit, and every input unchanged; a run that is stopped leaves no worktree and no process.
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from hostile import assert_error, invoke, snapshot
from test_runner_baseline import repo_of
from test_runner_support import alive, cli, git, spec_with, wait_for

BASELINE_ON = "timeout = 20\nbaseline = true\n"


def spec_file(tmp_path: Path, baseline: str, production_ref: bool = True) -> Path:
    """A repo whose spec sets ``pipeline.baseline = <baseline>`` (a TOML value)."""
    text = spec_with().replace("timeout = 20\n", f"timeout = 20\nbaseline = {baseline}\n")
    if not production_ref:
        text = text.replace('ref = "production"\n', "")
    return repo_of(tmp_path, text) / "dataops-diff.toml"


@pytest.mark.parametrize("value", ['"yes"', "1", "[true]", '"true"', "{ on = true }"])
def test_a_baseline_that_is_not_a_boolean_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    spec = spec_file(tmp_path, value)
    before = snapshot(spec.parent / "inputs", spec)
    out = invoke(capsys, "run", "--spec", spec, "--run-dir", tmp_path / "run", "--quiet")
    assert_error(out, 2, str(spec), "pipeline.baseline must be true or false", "baseline = true")
    assert snapshot(spec.parent / "inputs", spec) == before
    assert not (tmp_path / "run").exists()  # nothing ran


def test_the_flag_without_a_production_ref_names_the_flag_and_the_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = spec_file(tmp_path, "false", production_ref=False)
    before = snapshot(spec.parent / "inputs", spec)
    out = invoke(capsys, "run", "--spec", spec, "--baseline", "--run-dir", tmp_path / "run")
    assert_error(
        out, 2, "--baseline runs production a second time from its own checkout",
        "production has no ref", f"set production.ref in {spec} or pass --production-ref",
    )  # fmt: skip
    assert snapshot(spec.parent / "inputs", spec) == before
    assert not (tmp_path / "run").exists()
    assert git(spec.parent, "worktree", "list").count("\n") == 0


def test_the_spec_key_without_a_production_ref_names_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = spec_file(tmp_path, "true", production_ref=False)
    out = invoke(capsys, "run", "--spec", spec, "--run-dir", tmp_path / "run")
    assert_error(out, 2, f"pipeline.baseline in {spec} runs production a second time",
                 "pass --production-ref")  # fmt: skip
    assert not (tmp_path / "run").exists()


def test_an_empty_production_ref_flag_with_a_baseline_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = spec_file(tmp_path, "true")  # the spec has a ref; '' means the working tree
    out = invoke(capsys, "run", "--spec", spec, "--production-ref", "", "--run-dir", tmp_path / "r")
    assert_error(out, 2, "runs production a second time", "production has no ref")


def test_the_python_api_refuses_it_too(tmp_path: Path) -> None:
    from dataclasses import replace

    from dataops_diff import api
    from dataops_diff.errors import SpecError
    from dataops_diff.spec import load_spec

    spec = load_spec(str(spec_file(tmp_path, "false", production_ref=False)))
    with pytest.raises(SpecError) as info:
        api.run(replace(spec, baseline=True), run_dir=str(tmp_path / "run"))
    assert info.value.message.startswith("RunSpec.baseline runs production a second time")
    assert "RunSpec.production.ref" in info.value.message
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("name", ["with space", "br[ack]et", "[x] y", "ünï cødé"])
def test_awkward_paths_run_three_versions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    root = tmp_path / name
    spec = spec_file(root, "true")
    run_dir = root / f"run {name}"
    before = snapshot(spec.parent / "inputs")
    out = invoke(capsys, "run", "--spec", spec, "--quiet", "--run-dir", run_dir,
                 "--json", root / f"{name}.json")  # fmt: skip
    assert out.code == 0, out.stderr
    data = json.loads((root / f"{name}.json").read_text())
    baseline = data["run"]["baseline"]
    assert baseline["status"] == "succeeded"
    assert baseline["output_dir"] == str(run_dir / "baseline" / "output")
    assert (run_dir / "baseline" / "output" / "orders.csv").is_file()
    assert snapshot(spec.parent / "inputs") == before
    assert git(spec.parent, "worktree", "list").count("\n") == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_during_three_runs_cleans_up_every_checkout(
    tmp_path: Path, sig: signal.Signals
) -> None:
    env = 'JOB_SLEEP = "30", JOB_CHILD = "1"'
    text = spec_with(env, env).replace("timeout = 20\n", BASELINE_ON)
    repo = repo_of(tmp_path, text)
    before = snapshot(repo / "inputs")
    run_dir = tmp_path / "run"
    spec = str(repo / "dataops-diff.toml")
    proc = cli("run", "--spec", spec, "--run-dir", str(run_dir), "--quiet")
    pid_files = [run_dir / side / "pids" for side in ("production", "candidate", "baseline")]
    for f in pid_files:
        wait_for(f)
    pids = [int(p) for f in pid_files for p in f.read_text().split()]
    assert all(alive(p) for p in pids)
    cwds = {os.readlink(f"/proc/{p}/cwd") for p in pids[::2]}  # each job's own checkout
    assert len(cwds) == 3
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert f"interrupted by {sig.name}: all 3 runs were stopped" in err
    assert [p for p in pids if alive(p)] == []  # no job and no child outlives the run
    assert not any(os.path.exists(c) for c in cwds)  # every checkout removed (three of them)
    assert all(os.path.basename(c).startswith("dataops-diff-") for c in cwds)
    assert git(repo, "worktree", "list").count("\n") == 0
    for side in ("production", "candidate", "baseline"):
        assert (run_dir / side / "stdout.log").exists()  # logs are kept
    assert snapshot(repo / "inputs") == before


def test_the_runs_own_settings_are_flags_on_the_cli_and_fields_in_python(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--timeout, --spec and --run-dir are errors.Settings: worded by the CLI, not the library."""
    from dataops_diff.errors import RunError, SpecError
    from dataops_diff.shadow import run as shadow
    from dataops_diff.spec import load_spec, with_overrides

    spec = spec_file(tmp_path, "false")
    out = invoke(capsys, "run", "--spec", spec, "--timeout", "-1")
    assert_error(out, 2, "--timeout must be a positive number of seconds, got -1.0")
    with pytest.raises(SpecError, match=r"^RunSpec\.timeout must be a positive number"):
        with_overrides(load_spec(str(spec)), timeout=-1)
    missing = tmp_path / "none.toml"
    out = invoke(capsys, "run", "--spec", missing)
    assert_error(out, 2, f"{missing} does not exist", "or pass --spec PATH")
    with pytest.raises(SpecError, match=r"or pass load_spec PATH$"):
        load_spec(str(missing))
    (tmp_path / "old").mkdir()
    out = invoke(capsys, "run", "--spec", spec, "--run-dir", tmp_path / "old", "--quiet")
    assert_error(out, 2, "already exists; pass a new --run-dir (runs are never reused)")
    with pytest.raises(RunError, match="pass a new run_dir"):
        shadow.execute(load_spec(str(spec)), str(tmp_path / "old"))

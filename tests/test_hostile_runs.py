"""Hostile runs: fault injection in `run`, bad specs, symlinks and pairing shapes.

Each case asserts the contract of tests/hostile.py: the exit code, the one stderr line naming the
culprit (or the right verdict and counts where the class is a wrong result), the logs of a failed
run kept, and every input unchanged (except where a version changing an input is the case).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hostile import Outcome, assert_error, invoke, snapshot
from test_runner_support import JOB, git, make_repo, spec_with

import dataops_diff.shadow.gitrefs as gitrefs
from dataops_diff.errors import RunError

SPEC = """
[pipeline]
command = ["{python}", "job.py"]
timeout = 20
[pipeline.env]
JOB_SLEEP = "0"
[production]
env = { PROD_ENV }
[candidate]
env = { CAND_ENV }
[inputs]
events = "inputs/events.csv"
[defaults]
key = ["id"]
"""


def project(tmp_path: Path, prod: str = "", cand: str = "", extra: str = "",
            spec: str | None = None) -> Path:  # fmt: skip
    """A folder (no git: both versions run the working tree) with job.py, an input and a spec."""
    root = tmp_path / "project"
    (root / "inputs").mkdir(parents=True)
    (root / "job.py").write_text(JOB)
    (root / "inputs" / "events.csv").write_text("id,kind\n1,a\n2,b\n")
    text = SPEC.replace("PROD_ENV", prod).replace("CAND_ENV", cand) + extra
    (root / "dataops-diff.toml").write_text(text if spec is None else spec)
    return root


def run(
    capsys: pytest.CaptureFixture[str], root: Path, *extra: str | Path, quiet: bool = True
) -> tuple[Outcome, dict[str, Any]]:
    report = root.parent / "report.json"
    args: list[str | Path] = ["run", "--spec", root / "dataops-diff.toml", "--json", report,
                              "--run-dir", root.parent / "run", *extra]  # fmt: skip
    if quiet:
        args.append("--quiet")
    outcome = invoke(capsys, *args)
    return outcome, json.loads(report.read_text()) if report.exists() else {}


def inputs(root: Path) -> dict[str, str]:
    return snapshot(root / "inputs", root / "job.py", root / "dataops-diff.toml")


# ------------------------------------------------------------------- a version that fails
def test_candidate_exit_1_shows_its_log_tail_and_path_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, cand='JOB_EXIT = "1", JOB_STDERR = "KeyError: amount"')
    before = inputs(root)
    md, html = tmp_path / "r.md", tmp_path / "r.html"
    outcome, report = run(capsys, root, "--markdown", md, "--html", html, quiet=False)
    assert outcome.code == 1
    log = report["run"]["candidate"]["stderr_log"]
    assert report["run"]["candidate"]["tail_log"] == log
    assert Path(log).read_text() == "KeyError: amount\n"  # the log is kept
    assert f"candidate run failed; its log: {log}" in outcome.stdout
    assert "| KeyError: amount" in outcome.stdout
    assert "KeyError: amount" in md.read_text()
    assert log in md.read_text()
    assert "KeyError: amount" in html.read_text()
    assert log in html.read_text()
    assert inputs(root) == before


def test_candidate_failing_on_stdout_only_shows_the_stdout_tail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """dbt prints its errors on stdout: with an empty stderr, the stdout tail is shown."""
    root = project(tmp_path, cand='JOB_EXIT = "1", JOB_DATASETS = ""')
    _, report = run(capsys, root)
    cand = report["run"]["candidate"]
    assert cand["tail_log"] == cand["stdout_log"]
    assert cand["stderr_tail"] == ["done candidate"]


@pytest.mark.parametrize(("env", "why"), [
    ('JOB_EXIT = "4", JOB_STDERR = "bad"', "failed with exit code 4"),
    ('JOB_SLEEP = "30"', "timed out after"),
])  # fmt: skip
def test_production_failure_is_an_error_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], env: str, why: str
) -> None:
    root = project(tmp_path, prod=env)
    before = inputs(root)
    md, junit, html = tmp_path / "r.md", tmp_path / "r.xml", tmp_path / "r.html"
    outcome, report = run(capsys, root, "--timeout", "2", "--markdown", md, "--junit", junit,
                          "--html", html)  # fmt: skip
    line = assert_error(outcome, 2, f"production run {why}", "nothing can be compared")
    assert report["verdict"]["status"] == "ERROR"
    assert [r["severity"] for r in report["verdict"]["reasons"]] == ["error"]
    assert outcome.stdout.startswith("ERROR  production run")
    assert "ERROR" in md.read_text().splitlines()[0]
    assert '<error message="production run' in junit.read_text()
    assert "<failure" not in junit.read_text()
    assert 'class="banner ERROR"' in html.read_text()
    assert Path(report["run"]["production"]["stderr_log"]).exists()  # logs kept
    assert report["run"]["production"]["stderr_log"] in line
    assert inputs(root) == before


def test_a_saved_error_report_re_rendered_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, prod='JOB_EXIT = "3"')
    run(capsys, root)
    saved = tmp_path / "report.json"
    before = snapshot(saved)
    junit = tmp_path / "again.xml"
    outcome = invoke(capsys, "report", saved, "--junit", junit, "--max-changed-rows", "5%")
    assert_error(outcome, 2, "production run failed with exit code 3")
    assert "<error " in junit.read_text()
    assert snapshot(saved) == before


# ------------------------------------------------------------------- a version writes nothing
def test_candidate_writing_nothing_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, cand='JOB_DATASETS = ""')
    outcome, report = run(capsys, root)
    assert outcome.code == 1
    assert report["verdict"]["status"] == "FAIL"
    assert report["verdict"]["reasons"][0]["message"].startswith("candidate wrote no datasets")


@pytest.mark.parametrize("cand", ['JOB_DATASETS = ""', 'JOB_DATASETS = "orders"'])
def test_production_writing_nothing_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cand: str
) -> None:
    root = project(tmp_path, prod='JOB_DATASETS = ""', cand=cand)
    before = inputs(root)
    outcome, report = run(capsys, root)
    assert_error(outcome, 2, "production wrote no datasets", "{output}")
    assert report["verdict"]["status"] == "ERROR"
    assert inputs(root) == before


# ------------------------------------------------------------------- inputs and leftovers
def test_a_version_writing_to_an_input_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, cand='JOB_MUTATE = "{input.events}", JOB_SLEEP = "1"')
    outcome, report = run(capsys, root)
    assert outcome.code == 1
    assert report["run"]["inputs"][0]["changed_by"] == ["candidate"]


LEFTOVER = r"""
import os, subprocess, sys, time
late = (
    "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(0.6); "
    "open(sys.argv[1], 'a').write('late\\n'); time.sleep(60)"
)
subprocess.Popen([sys.executable, "-c", late, sys.argv[1]])
with open(os.path.join(sys.argv[2], "orders.csv"), "w") as fh:
    fh.write("id,value\n" + "".join(f"{i},{i * 10}\n" for i in range(1, 6)))
time.sleep(0.4)  # the child ignores SIGTERM by now
"""


def test_a_leftover_process_writing_to_an_input_during_the_grace_period_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It writes after its version exited, while being stopped: fingerprinted again after."""
    root = project(tmp_path)
    (root / "leftover.py").write_text(LEFTOVER)
    spec = (
        (root / "dataops-diff.toml")
        .read_text()
        .replace(
            "[candidate]\n",
            '[candidate]\ncommand = ["{python}", "leftover.py", "{input.events}", "{output}"]\n',
        )
    )
    (root / "dataops-diff.toml").write_text(spec)
    outcome, report = run(capsys, root)
    assert outcome.code == 1, outcome.stderr
    cand = report["run"]["candidate"]
    assert any("left running" in w for w in cand["warnings"])
    assert report["run"]["inputs"][0]["changed_by"] == ["candidate"]
    assert (root / "inputs" / "events.csv").read_text().endswith("late\n")


def test_a_version_editing_a_file_in_a_symlinked_input_folder_is_caught(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "lookup.csv").write_text("id\n1\n")
    mutate = 'JOB_MUTATE = "{input.lookups}/linked/lookup.csv", JOB_SLEEP = "1"'
    root = project(tmp_path, cand=mutate)
    (root / "inputs" / "lookups").mkdir()
    (root / "inputs" / "lookups" / "linked").symlink_to(elsewhere)
    spec = (root / "dataops-diff.toml").read_text()
    spec = spec.replace("[inputs]\n", '[inputs]\nlookups = "inputs/lookups"\n')
    (root / "dataops-diff.toml").write_text(spec)
    outcome, report = run(capsys, root)
    assert outcome.code == 1
    by_path = {os.path.basename(i["path"]): i for i in report["run"]["inputs"]}
    assert by_path["lookups"]["changed_by"] == ["candidate"]
    assert by_path["lookups"]["files"] == 1  # the file behind the link is fingerprinted


# ------------------------------------------------------------------- bad specs
@pytest.mark.parametrize(("spec_edit", "fragments"), [
    (("[pipeline]", "[pipline]"), ("pipline is not a known key", "use one of")),
    (("timeout = 20", 'timeout = "20"'), ("pipeline.timeout must be a positive number",)),
    (('key = ["id"]', 'key = "id"'), ("defaults.key must be a list of column names",)),
    (('key = ["id"]', 'key = ["id"]\nkeys = ["id"]'), ("defaults.keys is not a known key",)),
    (('key = ["id"]', 'key = ["id"]\nignore_columns = ["id"]'),
     ("defaults.key names 'id', which ignore_columns ignores",)),
    (('key = ["id"]', 'key = ["id"]\n[datasets.orders]\nformat = "xlsx"'),
     ("datasets.orders.format", "'xlsx' is not a known format")),
    (('key = ["id"]', '[datasets.orders]\npath = "orders.csv"'),
     ("datasets.orders.key is missing", "set key in [defaults]")),
    (('key = ["id"]', 'key = ["id"]\n[datasets.orders]\npath = "out/orders.csvv"'),
     ("datasets.orders.path", "'out/orders.csvv' has no known data extension")),
    (('key = ["id"]', 'key = ["id"]\n[datasets.orders]\npath = "../orders.csv"'),
     ("datasets.orders.path must stay inside the output folder",)),
])  # fmt: skip
def test_a_bad_spec_is_refused_before_anything_runs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    spec_edit: tuple[str, str],
    fragments: tuple[str, ...],
) -> None:
    root = project(tmp_path)
    spec = root / "dataops-diff.toml"
    spec.write_text(spec.read_text().replace(*spec_edit))
    before = inputs(root)
    outcome, _ = run(capsys, root)
    assert_error(outcome, 2, str(spec), *fragments)
    assert not (tmp_path / "run").exists()  # refused before the pipelines start
    assert inputs(root) == before


@pytest.mark.parametrize(("extra", "setting"), [
    ("", "defaults.key"),
    ('[datasets.orders]\nkey = ["order_id"]\n', "datasets.orders.key"),
    ('[datasets.orders]\nignore_columns = ["loaded_at"]\n', "datasets.orders.ignore_columns"),
    ('[datasets.orders]\nabs_tol = { amount = 0.1 }\n', "datasets.orders.abs_tol"),
    ('[datasets.orders]\nrenames = { value = "val" }\n', "datasets.orders.renames"),
])  # fmt: skip
def test_a_wrong_column_names_the_spec_key_not_a_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, setting: str
) -> None:
    root = project(tmp_path, extra=extra)
    spec = root / "dataops-diff.toml"
    if not extra:
        spec.write_text(spec.read_text().replace('key = ["id"]', 'key = ["idd"]'))
    before = inputs(root)
    outcome, _ = run(capsys, root)
    line = assert_error(outcome, 2, str(spec), setting, f"fix {setting}")
    assert "--" not in line.split(str(spec))[1]  # no flag: run has none of them
    assert inputs(root) == before
    assert (tmp_path / "run" / "candidate" / "stderr.log").exists()  # the runs' logs are kept


def test_a_bad_timeout_flag_names_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    outcome, _ = run(capsys, root, "--timeout", "0")
    assert_error(outcome, 2, "--timeout must be a positive number")


# ------------------------------------------------------------------- run directories
def test_an_existing_run_dir_is_never_reused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "old.log").write_text("keep me\n")
    before = snapshot(tmp_path / "run")
    outcome, _ = run(capsys, root)
    assert_error(outcome, 2, "already exists", "--run-dir")
    assert snapshot(tmp_path / "run") == before


def test_a_run_dir_inside_an_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    spec = root / "dataops-diff.toml"
    spec.write_text(spec.read_text().replace("[inputs]\n", '[inputs]\nall = "inputs"\n'))
    before = inputs(root)
    outcome = invoke(capsys, "run", "--spec", spec, "--run-dir", root / "inputs" / "run", "-q")
    assert_error(outcome, 2, "is inside input 'all'", "outside the inputs")
    assert inputs(root) == before
    assert not (root / "inputs" / "run").exists()


# ------------------------------------------------------------------- symlinks
def _csv(path: Path, rows: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("id,v\n" + rows)


def test_a_symlinked_hive_partition_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for side in ("p", "c"):
        _csv(tmp_path / side / "orders" / "day=1" / "part-0.csv", "1,a\n")
    _csv(tmp_path / "p" / "orders" / "day=2" / "part-0.csv", "2,b\n")
    _csv(tmp_path / "elsewhere" / "part-0.csv", "2,CHANGED\n")
    (tmp_path / "c" / "orders" / "day=2").symlink_to(tmp_path / "elsewhere")
    before = snapshot(tmp_path / "p", tmp_path / "c", tmp_path / "elsewhere")
    out = tmp_path / "r.json"
    outcome = invoke(capsys, "compare", tmp_path / "p", tmp_path / "c", "--key", "id",
                     "--json", out, "-q")  # fmt: skip
    assert outcome.code == 1
    (orders,) = json.loads(out.read_text())["datasets"]
    assert (orders["production_rows"], orders["candidate_rows"]) == (2, 2)
    assert orders["rows_with_differences"] == 1
    assert snapshot(tmp_path / "p", tmp_path / "c", tmp_path / "elsewhere") == before


@pytest.mark.parametrize("kind", ["loop", "broken"])
def test_a_bad_link_in_a_dataset_folder_is_an_error_not_a_skip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    for side in ("p", "c"):
        _csv(tmp_path / side / "orders" / "day=1" / "part-0.csv", "1,a\n")
    bad = tmp_path / "c" / "orders" / "day=2"
    bad.symlink_to(tmp_path / "c" / "orders" if kind == "loop" else tmp_path / "missing")
    outcome = invoke(capsys, "compare", tmp_path / "p", tmp_path / "c", "--key", "id")
    fragment = "symbolic link loop" if kind == "loop" else "broken symbolic link"
    assert_error(outcome, 2, fragment, str(bad))


# ------------------------------------------------------------------- pairing shapes
def test_a_marker_at_the_top_never_unions_two_datasets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for side, orders, refunds in (("p", "1,a\n", "2,b\n"), ("c", "1,a\n2,b\n", "")):
        _csv(tmp_path / side / "orders.csv", orders)
        _csv(tmp_path / side / "refunds.csv", refunds)
        (tmp_path / side / "_SUCCESS").write_text("")
    before = snapshot(tmp_path)
    outcome = invoke(capsys, "compare", tmp_path / "p", tmp_path / "c", "--key", "id", "-q")
    assert outcome.code == 1  # a row moved from refunds to orders
    assert outcome.stdout.startswith("FAIL  2 datasets compared, 2 with differences")
    assert snapshot(tmp_path) == before


def test_a_spark_folder_written_by_the_candidate_is_one_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spark = (
        "import os, sys; d = os.path.join(sys.argv[1], 'orders'); os.makedirs(d); "
        "open(os.path.join(d, 'part-00000.csv'), 'w').write('id,value\\\\n1,10\\\\n2,20\\\\n'); "
        "open(os.path.join(d, 'part-00001.csv'), 'w')"
        ".write('id,value\\\\n3,30\\\\n4,40\\\\n5,50\\\\n'); "
        "open(os.path.join(d, '_SUCCESS'), 'w').close()"
    )
    root = project(tmp_path)
    spec = (
        (root / "dataops-diff.toml")
        .read_text()
        .replace(
            "[candidate]\n",
            f'[candidate]\ncommand = ["{{python}}", "-c", "{spark}", "{{output}}"]\n',
        )
    )
    (root / "dataops-diff.toml").write_text(spec)
    outcome, report = run(capsys, root)
    assert outcome.code == 0, outcome.stderr
    (orders,) = report["datasets"]
    assert orders["name"] == "orders"
    assert orders["matched_rows"] == 5


# ------------------------------------------------------------------- signals during checkout
def test_sigterm_during_git_worktree_add_removes_the_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM arrives (as KeyboardInterrupt) right after git registered the worktree."""
    repo = make_repo(tmp_path / "repo", spec_with())
    created: list[str] = []
    real_git = gitrefs.git  # type: ignore[attr-defined]

    def interrupted_git(args: list[str], cwd: str, fix: str) -> str:
        out = real_git(args, cwd, fix)
        if args[:2] == ["worktree", "add"]:
            created.append(args[3])
            raise KeyboardInterrupt
        return out

    monkeypatch.setattr(gitrefs, "git", interrupted_git)
    with pytest.raises(KeyboardInterrupt):
        gitrefs.checkout("production", "production", str(repo))
    (folder,) = created
    assert not os.path.exists(folder)
    assert git(repo, "worktree", "list").count("\n") == 0  # only the main worktree is left


def test_a_failing_worktree_add_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo", spec_with())
    made: list[str] = []
    real_mkdtemp = tempfile.mkdtemp

    def mkdtemp(prefix: str) -> str:
        made.append(real_mkdtemp(prefix=prefix))
        (Path(made[-1]) / "in-the-way").write_text("")  # git refuses a non-empty folder
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", mkdtemp)
    with pytest.raises(RunError, match="git worktree list"):
        gitrefs.checkout("candidate", "candidate", str(repo))
    assert not os.path.exists(made[0])
    assert git(repo, "worktree", "list").count("\n") == 0


def test_the_cli_exits_130_on_sigterm_and_keeps_the_logs(tmp_path: Path) -> None:
    root = project(tmp_path, prod='JOB_SLEEP = "30"', cand='JOB_SLEEP = "30"')
    before = inputs(root)
    proc = subprocess.Popen(
        [sys.executable, "-m", "dataops_diff", "run", "--spec", str(root / "dataops-diff.toml"),
         "--run-dir", str(tmp_path / "run"), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    log = tmp_path / "run" / "candidate" / "stderr.log"
    for _ in range(400):
        if log.exists():
            break
        proc.poll()
        import time

        time.sleep(0.05)
    proc.terminate()
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1].startswith("dataops-diff: error: interrupted by SIGTERM")
    assert log.exists()
    assert inputs(root) == before


# ------------------------------------------------------------------- report paths, checked first
@pytest.mark.parametrize(("flag", "where", "fragment"), [
    ("--json", "inputs/events.csv", "is input 'events'"),
    ("--html", "inputs/events.csv", "is input 'events'"),
    ("--markdown", ".dataops-diff/runs/old/report.md", "inside the run folder"),
    ("--junit", "missing/report.xml", "does not exist; create it first"),
    ("--json", "dataops-diff.toml", "is the spec file"),
])  # fmt: skip
def test_a_bad_report_path_is_refused_before_the_pipelines_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str, where: str, fragment: str
) -> None:
    root = project(tmp_path)
    (root / ".dataops-diff" / "runs" / "old").mkdir(parents=True)
    before = inputs(root)
    outcome = invoke(capsys, "run", "--spec", root / "dataops-diff.toml", "--run-dir",
                     tmp_path / "run", flag, root / where, "-q")  # fmt: skip
    assert_error(outcome, 2, flag, fragment)
    assert not (tmp_path / "run").exists()
    assert inputs(root) == before


@pytest.mark.parametrize("kind", ["loop", "broken"])
def test_a_bad_link_beside_datasets_is_an_error_not_a_skip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    for side in ("p", "c"):
        _csv(tmp_path / side / "marts" / "orders.csv", "1,a\n")
    bad = tmp_path / "c" / "marts" / "more"
    bad.symlink_to(tmp_path / "c" if kind == "loop" else tmp_path / "missing.csv")
    before = snapshot(tmp_path / "p")
    outcome = invoke(capsys, "compare", tmp_path / "p", tmp_path / "c", "--key", "id")
    fragment = "symbolic link loop" if kind == "loop" else "broken symbolic link"
    assert_error(outcome, 2, fragment)
    assert snapshot(tmp_path / "p") == before


def test_a_symlinked_dataset_file_is_compared(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for side in ("p", "c"):
        _csv(tmp_path / side / "orders.csv", "1,a\n")
    _csv(tmp_path / "elsewhere" / "refunds.csv", "1,x\n")
    _csv(tmp_path / "p" / "refunds.csv", "1,y\n")
    (tmp_path / "c" / "refunds.csv").symlink_to(tmp_path / "elsewhere" / "refunds.csv")
    outcome = invoke(capsys, "compare", tmp_path / "p", tmp_path / "c", "--key", "id", "-q")
    assert outcome.code == 1
    assert outcome.stdout.startswith("FAIL  2 datasets compared, 1 with differences")


def test_production_writing_nothing_outranks_a_listed_dataset_nobody_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = '[datasets.payments]\npath = "payments.csv"\n'
    root = project(tmp_path, prod='JOB_DATASETS = ""', extra=extra)
    outcome, report = run(capsys, root)
    assert_error(outcome, 2, "production wrote no datasets")
    assert report["verdict"]["status"] == "ERROR"


def test_an_input_with_a_link_loop_is_refused_before_the_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    (root / "inputs" / "again").symlink_to(root / "inputs")
    spec = root / "dataops-diff.toml"
    spec.write_text(spec.read_text().replace("[inputs]\n", '[inputs]\nall = "inputs"\n'))
    outcome, _ = run(capsys, root)
    assert_error(outcome, 2, "input 'all'", "symbolic link loop")
    assert not (tmp_path / "run" / "production" / "stdout.log").exists()  # nothing started


def test_a_succeeded_version_shows_no_stdout_tail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    _, report = run(capsys, root)
    prod = report["run"]["production"]
    assert prod["status"] == "succeeded"
    assert prod["stderr_tail"] == []  # its stdout ("done production") is not an error
    assert prod["tail_log"] == prod["stderr_log"]

"""Versions from git refs: real worktrees in a temporary repository created by the test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_runner_support import JOB, SPEC, git, make_repo

from dataops_diff.errors import RunError
from dataops_diff.shadow import run as shadow
from dataops_diff.shadow.gitrefs import checkout, release
from dataops_diff.spec import load_spec as load
from dataops_diff.spec import with_overrides

CANDIDATE_JOB = JOB.replace('"JOB_OFFSET", "0"', '"JOB_OFFSET", "7"')


def test_each_ref_runs_its_own_commit_in_a_removed_worktree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", SPEC, candidate_job=CANDIDATE_JOB)
    spec = load(str(repo / "dataops-diff.toml"))
    run = shadow.execute(spec, str(tmp_path / "run"))
    p, c = run.production, run.candidate
    assert (p.status, c.status) == ("succeeded", "succeeded")
    assert p.git_ref == "production"
    assert c.git_ref == "candidate"
    assert p.git_sha == git(repo, "rev-parse", "production")
    assert c.git_sha == git(repo, "rev-parse", "candidate")
    assert p.git_sha != c.git_sha
    # each ran its own commit's job.py, in a worktree that is gone now
    assert Path(p.output_dir, "orders.csv").read_text().splitlines()[3] == "3,30"
    assert Path(c.output_dir, "orders.csv").read_text().splitlines()[3] == "3,37"
    assert p.cwd != c.cwd
    assert not os.path.exists(p.cwd)
    assert not os.path.exists(c.cwd)
    assert git(repo, "worktree", "list").count("\n") == 0  # only the main working tree
    # the inputs came from the working tree, shared by both
    assert run.inputs[0].path == str(repo / "inputs" / "events.csv")


def test_working_tree_version_records_head(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", SPEC)
    spec = with_overrides(load(str(repo / "dataops-diff.toml")), candidate_ref="")
    run = shadow.execute(spec, str(tmp_path / "run"))
    assert run.candidate.git_ref is None
    assert run.candidate.git_sha == git(repo, "rev-parse", "HEAD")
    assert run.candidate.cwd == str(repo)


def test_spec_in_a_subfolder_runs_in_the_same_subfolder_of_the_worktree(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    sub = repo / "jobs" / "fraud"
    sub.mkdir(parents=True)
    git(repo, "init", "-q")
    (sub / "job.py").write_text(JOB)
    (sub / "inputs").mkdir()
    (sub / "inputs" / "events.csv").write_text("id\n1\n")
    spec = SPEC.replace('["{python}", "job.py"]', '["{python}", "{root}/job.py"]')
    (sub / "dataops-diff.toml").write_text(spec)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "one")
    git(repo, "tag", "production")
    git(repo, "tag", "candidate")
    run = shadow.execute(load(str(sub / "dataops-diff.toml")), str(tmp_path / "run"))
    assert run.production.status == "succeeded", run.production.stderr_tail
    assert run.production.cwd.endswith(os.path.join("jobs", "fraud"))
    assert run.production.command[1] == os.path.join(run.production.cwd, "job.py")


def test_unknown_ref_is_an_error_and_leaves_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", SPEC)
    spec = with_overrides(load(str(repo / "dataops-diff.toml")), candidate_ref="no-such-branch")
    with pytest.raises(RunError) as info:
        shadow.execute(spec, str(tmp_path / "run"))
    assert info.value.message.endswith(
        "'no-such-branch' is not a commit, branch or tag here; fix candidate.ref or --candidate-ref"
    )
    assert not (tmp_path / "run").exists()
    assert git(repo, "worktree", "list").count("\n") == 0


def test_a_ref_outside_a_repository_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RunError, match="needs a git repository"):
        checkout("production", "main", str(tmp_path))


def test_release_is_safe_twice(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", SPEC)
    co = checkout("production", "production", str(repo))
    assert co.worktree is not None
    assert os.path.isdir(co.worktree)
    assert Path(co.root, "job.py").read_text() == JOB
    release(co)
    release(co)
    assert not os.path.exists(co.worktree)

"""action.yml: valid, documented in docs/ci.md, and its scripts do what they claim.

The composite steps' scripts read every input from ``env:``, so they run here as they are, with
GitHub's own ``bash --noprofile --norc -eo pipefail`` and a GITHUB_OUTPUT file: a real shallow
clone is fetched, a real shadow run is gated, the comment goes to a local API stub.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from github_stub import PR, REPO, github_stub
from test_runner_support import JOB, SPEC, git, make_repo

ROOT = Path(__file__).parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, object]] = ACTION["runs"]["steps"]
DOCS = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
CANDIDATE_JOB = JOB.replace('"JOB_OFFSET", "0"', '"JOB_OFFSET", "7"')


def step(name: str) -> dict[str, object]:
    return next(s for s in STEPS if s.get("name") == name)


def script(name: str) -> str:
    run = step(name)["run"]
    assert isinstance(run, str)
    return run


def run_step(name: str, cwd: Path, tmp: Path, **env: str) -> tuple[int, dict[str, str], str]:
    """Run one step's script as GitHub does; return its exit code, its outputs and its stderr."""
    (tmp / "step.sh").write_text(script(name))
    outputs = tmp / "github_output"
    outputs.write_text("")
    full = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ.get("HOME", str(tmp)),
        "GITHUB_OUTPUT": str(outputs),
        "RUNNER_TEMP": str(tmp),
        **env,
    }
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(tmp / "step.sh")],
        cwd=cwd, env=full, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    pairs = (line.split("=", 1) for line in outputs.read_text().splitlines() if "=" in line)
    return done.returncode, dict(pairs), done.stderr


# ------------------------------------------------------------------------------ the file itself
def test_a_composite_action_with_its_inputs_and_outputs() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert {"spec", "production-ref", "candidate-ref", "args", "python-version", "package",
            "comment", "github-token"} <= set(ACTION["inputs"])  # fmt: skip
    assert {"verdict", "exit-code", "report-html"} <= set(ACTION["outputs"])
    for name, output in ACTION["outputs"].items():
        assert output["value"] == f"${{{{ steps.run.outputs.{name} }}}}"
    uses = [s["uses"] for s in STEPS if "uses" in s]
    assert uses == ["actions/setup-python@v5", "actions/upload-artifact@v4"]


def _documented(heading: str) -> set[str]:
    """The names in the first column of the table under ``heading`` in docs/ci.md."""
    section = DOCS.split(heading + "\n", 1)[1].split("\n#", 1)[0]
    return set(re.findall(r"^\| `([a-z-]+)` \|", section, flags=re.MULTILINE))


def test_every_input_and_output_is_documented_and_nothing_else() -> None:
    assert _documented("### Inputs") == set(ACTION["inputs"])
    assert _documented("### Outputs") == set(ACTION["outputs"])


def test_scripts_take_inputs_from_env_only_and_parse() -> None:
    for s in STEPS:
        if "run" not in s:
            continue
        text = str(s["run"])
        assert "${{" not in text, f"step {s['name']!r}: an expression inside a script"
        assert s["shell"] == "bash"
        done = subprocess.run(["bash", "-n"], input=text, capture_output=True, text=True)
        assert done.returncode == 0, f"step {s['name']!r}: {done.stderr}"


def test_the_token_reaches_only_the_comment_step() -> None:
    holders = [s["name"] for s in STEPS if "github-token" in json.dumps(s.get("env", {}))]
    assert holders == ["Comment on the pull request"]


# ------------------------------------------------------------------------------ the scripts, run
@pytest.fixture
def pull_request(tmp_path: Path) -> tuple[Path, str, str]:
    """A shallow clone (as actions/checkout makes) of a repo whose candidate changes one value."""
    origin = make_repo(tmp_path / "origin", SPEC, candidate_job=CANDIDATE_JOB)
    base, head = git(origin, "rev-parse", "production"), git(origin, "rev-parse", "candidate")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    assert git(clone, "rev-parse", "--is-shallow-repository") == "true"
    return clone, base, head


def test_fetch_brings_both_commits_into_a_shallow_clone(
    pull_request: tuple[Path, str, str], tmp_path: Path
) -> None:
    clone, base, head = pull_request
    missing = subprocess.run(["git", "cat-file", "-e", f"{base}^{{commit}}"], cwd=clone)
    assert missing.returncode != 0
    code, out, err = run_step(
        "Fetch both versions", clone, tmp_path,
        DATAOPS_DIFF_ACTION_PRODUCTION_REF=base, DATAOPS_DIFF_ACTION_CANDIDATE_REF=head,
    )  # fmt: skip
    assert code == 0, err
    assert out == {"production": base, "candidate": head}
    assert git(clone, "rev-parse", f"{base}^{{commit}}") == base


def test_the_pull_requests_branch_names_label_the_versions(
    pull_request: tuple[Path, str, str], tmp_path: Path
) -> None:
    clone, base, head = pull_request
    code, out, err = run_step(
        "Fetch both versions", clone, tmp_path,
        DATAOPS_DIFF_ACTION_PRODUCTION_REF=base, DATAOPS_DIFF_ACTION_CANDIDATE_REF=head,
        DATAOPS_DIFF_ACTION_PRODUCTION_BRANCH="main",
        DATAOPS_DIFF_ACTION_CANDIDATE_BRANCH="feature/night-surcharge",
    )  # fmt: skip
    assert code == 0, err
    assert out == {"production": "pr-base/main", "candidate": "pr-head/feature/night-surcharge"}
    assert git(clone, "rev-parse", "pr-base/main") == base
    assert git(clone, "rev-parse", "pr-head/feature/night-surcharge") == head
    assert git(clone, "branch", "--list", "--format=%(refname)") == "refs/heads/main"  # no branch
    code, run, err = run_step(
        "Shadow-run production and candidate", clone, tmp_path,
        DATAOPS_DIFF_ACTION_SPEC="dataops-diff.toml",
        DATAOPS_DIFF_ACTION_PRODUCTION_REF=out["production"],
        DATAOPS_DIFF_ACTION_CANDIDATE_REF=out["candidate"],
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(Path(run["report-json"]).read_text())["run"]
    assert (report["production"]["git_ref"], report["production"]["git_sha"]) == (
        "pr-base/main",
        base,
    )
    assert report["candidate"]["git_ref"] == "pr-head/feature/night-surcharge"
    assert "**production** pr-base/main @ " in Path(run["report-markdown"]).read_text()


def test_run_passes_the_refs_and_args_and_keeps_the_exit_code(
    pull_request: tuple[Path, str, str], tmp_path: Path
) -> None:
    clone, base, head = pull_request
    summary = tmp_path / "summary.md"
    env = {
        "DATAOPS_DIFF_ACTION_SPEC": "dataops-diff.toml",
        "DATAOPS_DIFF_ACTION_PRODUCTION_REF": base,
        "DATAOPS_DIFF_ACTION_CANDIDATE_REF": head,
        "GITHUB_STEP_SUMMARY": str(summary),
        "DATAOPS_DIFF_ACTION_ARGS": "--timeout 60",
    }
    git(clone, "fetch", "-q", "--depth", "1", "origin", base)
    # strict policy: the candidate's changed value fails, and the step still succeeds
    code, out, err = run_step("Shadow-run production and candidate", clone, tmp_path, **env)
    assert code == 0, err
    assert (out["exit-code"], out["verdict"]) == ("1", "FAIL")
    reports = Path(out["reports"])
    report = json.loads(Path(out["report-json"]).read_text())
    shas = json.dumps(report)
    assert base in shas
    assert head in shas
    for key in ("report-html", "report-markdown", "junit", "report-json"):
        assert Path(out[key]).parent == reports
        assert Path(out[key]).is_file()
    assert (reports / "run" / "candidate" / "stdout.log").is_file()
    markdown = Path(out["report-markdown"]).read_text()
    assert summary.read_text() == markdown  # appended once, by the CLI, not doubled
    # the args input, quoted as in a shell, reaches the CLI: the change is declared, so PASS
    env["DATAOPS_DIFF_ACTION_ARGS"] = "--timeout 60 --expect-change 'orders.value'"
    code, out, err = run_step("Shadow-run production and candidate", clone, tmp_path, **env)
    assert code == 0, err
    assert (out["exit-code"], out["verdict"]) == ("0", "PASS")
    assert Path(out["reports"]) != reports  # a fresh folder per run


def test_unbalanced_args_stop_the_step_with_one_error(
    pull_request: tuple[Path, str, str], tmp_path: Path
) -> None:
    clone, _, _ = pull_request
    code, out, err = run_step(
        "Shadow-run production and candidate", clone, tmp_path,
        DATAOPS_DIFF_ACTION_SPEC="dataops-diff.toml", DATAOPS_DIFF_ACTION_ARGS="--timeout '60",
    )  # fmt: skip
    assert code == 2
    assert "exit-code" not in out  # so the comment and gate steps do not run
    assert err.count("\n") == 1
    assert err.startswith("dataops-diff: error: the args input: No closing quotation")


def test_a_spec_error_is_exit_code_2_and_verdict_error(
    pull_request: tuple[Path, str, str], tmp_path: Path
) -> None:
    clone, _, _ = pull_request
    summary = tmp_path / "summary.md"
    code, out, err = run_step(
        "Shadow-run production and candidate", clone, tmp_path,
        DATAOPS_DIFF_ACTION_SPEC="missing.toml", GITHUB_STEP_SUMMARY=str(summary),
    )  # fmt: skip
    assert code == 0, err
    assert (out["exit-code"], out["verdict"]) == ("2", "ERROR")
    assert "missing.toml" in err
    assert not Path(out["report-markdown"]).exists()
    # the summary page says there is no report (the comment step says the same, tested above)
    assert summary.read_text().startswith("## ⛔ dataops-diff: no report")
    assert "exit code 2" in summary.read_text()


@pytest.mark.parametrize("exit_code", ["0", "1", "2"])
def test_the_gate_fails_the_job_with_the_cli_exit_code(tmp_path: Path, exit_code: str) -> None:
    code, _, _ = run_step(
        "Gate on the verdict", tmp_path, tmp_path,
        DATAOPS_DIFF_ACTION_EXIT_CODE=exit_code, DATAOPS_DIFF_ACTION_VERDICT="FAIL",
    )  # fmt: skip
    assert code == int(exit_code)


def test_the_comment_step_posts_then_updates_the_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    reports = tmp_path / "reports"
    reports.mkdir()
    (reports / "report.md").write_text("## ❌ dataops-diff: FAIL\n")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": PR}}))
    with github_stub() as stub:
        env = {
            "GITHUB_API_URL": stub.url, "GITHUB_REPOSITORY": REPO,
            "GITHUB_EVENT_PATH": str(event), "GITHUB_TOKEN": "t",
            "DATAOPS_DIFF_ACTION_REPORTS": str(reports), "DATAOPS_DIFF_ACTION_EXIT_CODE": "1",
            "DATAOPS_DIFF_ACTION_COMMENT_ID": "", "DATAOPS_DIFF_ACTION_ARTIFACT": "dataops-diff",
        }  # fmt: skip
        for _ in range(2):
            code, _, err = run_step("Comment on the pull request", tmp_path, tmp_path, **env)
            assert code == 0, err
    assert [r.method for r in stub.writes()] == ["POST", "PATCH"]
    [ours] = stub.comments
    assert str(ours["body"]).startswith("<!-- dataops-diff -->\n## ❌ dataops-diff: FAIL")
    assert "artefact `dataops-diff`" in str(ours["body"])


# ------------------------------------------------------------------------------ the workflows
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


@pytest.mark.parametrize("path", WORKFLOWS, ids=[p.name for p in WORKFLOWS])
def test_workflows_are_valid_and_use_only_the_actions_inputs(path: Path) -> None:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    for job in workflow["jobs"].values():
        for s in job["steps"]:
            if s.get("uses") == "./":
                assert set(s.get("with", {})) <= set(ACTION["inputs"])


def test_this_repository_runs_its_own_action_on_pull_requests() -> None:
    workflow = yaml.safe_load((ROOT / ".github/workflows/action.yml").read_text(encoding="utf-8"))
    steps = [s for job in workflow["jobs"].values() for s in job["steps"]]
    [own] = [s for s in steps if s.get("uses") == "./"]
    spec = ROOT / own["with"]["working-directory"] / own["with"].get("spec", "dataops-diff.toml")
    assert spec.is_file()
    assert workflow["permissions"]["pull-requests"] == "write"


def test_the_gitlab_example_holds_the_documented_merge_request_job() -> None:
    jobs = yaml.safe_load((ROOT / ".gitlab-ci.example.yml").read_text(encoding="utf-8"))
    job = jobs["dataops-diff"]
    assert job["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
    command = " ".join(job["script"])
    assert '--production-ref "$CI_MERGE_REQUEST_DIFF_BASE_SHA"' in command
    assert '--candidate-ref "$CI_COMMIT_SHA"' in command
    assert job["artifacts"]["reports"]["junit"] == "junit.xml"
    # the job in docs/ci.md is the same job (the example adds only: run where a spec exists)
    block = DOCS.split("## GitLab CI", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    documented = yaml.safe_load(block)["dataops-diff"]
    assert documented["script"] == job["script"]
    assert documented["artifacts"] == job["artifacts"]
    assert job["rules"][0]["exists"] == ["dataops-diff.toml"]
    assert "dataops-diff-demo" in jobs

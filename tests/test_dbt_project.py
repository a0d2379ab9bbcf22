"""The dbt preset for real: fixtures/dbt_project built by dbt (dbt-core + dbt-duckdb) per version.

dbt is installed by `make` into its own environment (.venv/dbt: see the Makefile); without it
these tests are skipped, except in CI, where they must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hostile import snapshot

from dataops_diff.cli import main

ROOT = Path(__file__).parents[1]
FIXTURE = ROOT / "fixtures" / "dbt_project"
DBT = ROOT / ".venv" / "dbt" / "bin" / "dbt"
CONFIG = ("user.name=t", "user.email=t@example.invalid", "commit.gpgsign=false",
          "tag.gpgsign=false", "init.defaultBranch=main")  # fmt: skip
GIT = ["git", *(arg for item in CONFIG for arg in ("-c", item))]

# fixtures/dbt_project/README.md, "Planted differences"
PLANTED = {
    "stg_orders": {"key": ["order_id"], "rows": (20, 20), "changed": 0, "only_prod": 0},
    "orders": {"key": ["order_id"], "rows": (20, 20), "changed": 3, "only_prod": 0},
    "customers": {"key": ["customer_id"], "rows": (8, 6), "changed": 3, "only_prod": 2},
    "daily_revenue": {"key": ["order_date"], "rows": (6, 6), "changed": 3, "only_prod": 0},
}
NEW = {"returns": 3}  # models only the candidate builds: name -> rows

pytestmark = pytest.mark.skipif(
    not DBT.exists() and not os.environ.get("CI"),
    reason="dbt is not installed in .venv/dbt (run `make .venv/.installed`)",
)


def git(repo: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True)


def build_repo(repo: Path, spec_extra: str = "") -> Path:
    """A throwaway repository: tag `production` (project/), tag `candidate` (candidate/ over it)."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    shutil.copytree(FIXTURE / "project", repo / "project")
    spec = (FIXTURE / "dataops-diff.toml").read_text()
    spec = spec.replace("[pipeline]\n", f'[pipeline]\ndbt = "{DBT}"\n{spec_extra}', 1)
    (repo / "dataops-diff.toml").write_text(spec)
    (repo / ".gitignore").write_text(".dataops-diff/\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "production")
    git(repo, "tag", "production")
    shutil.copytree(FIXTURE / "candidate", repo, dirs_exist_ok=True)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "candidate")
    git(repo, "tag", "candidate")
    return repo


def run(repo: Path, out: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    report = out / "report.json"
    code = main(["run", "--spec", str(repo / "dataops-diff.toml"), "--production-ref",
                 "production", "--candidate-ref", "candidate", "--run-dir", str(out / "run"),
                 "--json", str(report), "--quiet", *extra])  # fmt: skip
    return code, json.loads(report.read_text()) if report.exists() else {}


@pytest.fixture(scope="module")
def shop(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[int, dict[str, Any], Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("dbt")
    repo = build_repo(base / "repo")
    before = snapshot(repo / "project", repo / "dataops-diff.toml")
    code, report = run(repo, base)
    return code, report, base, before


def test_verdict_counts_and_keys(shop: tuple[int, dict[str, Any], Path, dict[str, str]]) -> None:
    code, report, _, _ = shop
    assert code == 1, report.get("verdict")
    assert report["verdict"]["status"] == "FAIL"
    found = {d["name"]: d for d in report["datasets"]}
    assert set(found) == set(PLANTED) | set(NEW)  # the models; seeds are not compared
    for name, rows in NEW.items():
        assert found[name]["status"] == "only_in_candidate"
        assert found[name]["candidate_rows"] == rows
    for name, want in PLANTED.items():
        d = found[name]
        assert d["key"] == want["key"], name
        assert (d["production_rows"], d["candidate_rows"]) == want["rows"], name
        assert d["rows_with_differences"] == want["changed"], name
        assert d["only_in_production"] == want["only_prod"], name
        assert d["only_in_candidate"] == 0, name


def test_no_input_changed_and_run_folders_apart(
    shop: tuple[int, dict[str, Any], Path, dict[str, str]],
) -> None:
    _, report, base, _ = shop
    run_info = report["run"]
    assert run_info["production"]["status"] == run_info["candidate"]["status"] == "succeeded"
    assert not run_info.get("mutated_inputs")
    for side in ("production", "candidate"):
        own = base / "run" / side
        assert (own / "output" / "warehouse.duckdb").is_file()
        assert (own / "dbt" / "target" / "manifest.json").is_file()
        assert (own / "dbt" / "logs").is_dir()
        profile = json.loads((own / "dbt" / "profiles.yml").read_text())
        outputs = profile["shop"]["outputs"]["dataops_diff"]
        assert outputs["path"] == str(own / "output" / "warehouse.duckdb")


def test_checkout_untouched(shop: tuple[int, dict[str, Any], Path, dict[str, str]]) -> None:
    _, _, base, before = shop
    repo = base / "repo"
    assert snapshot(repo / "project", repo / "dataops-diff.toml") == before
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True,
                            text=True, check=True).stdout  # fmt: skip
    assert status == ""  # dbt wrote no target/, logs/ or .user.yml into the project


def test_select_passes_through_and_spec_keys(tmp_path: Path) -> None:
    repo = build_repo(tmp_path / "repo", spec_extra='select = "+orders"\n')
    with (repo / "dataops-diff.toml").open("a") as spec:  # the spec is read from the work tree
        spec.write(
            '\n[datasets.orders]\nkey = ["order_id", "status"]\n\n[defaults]\nkey = ["no"]\n'
        )
    code, report = run(repo, tmp_path)
    assert code == 1
    found = {d["name"]: d for d in report["datasets"]}
    assert set(found) == {"stg_orders", "orders"}  # only what dbt built
    assert found["orders"]["rows_with_differences"] == 3
    assert found["orders"]["key"] == ["order_id", "status"]  # [datasets.NAME] key wins
    assert found["stg_orders"]["key"] == ["order_id"]  # the project's key wins over [defaults]


def test_model_without_key_is_refused_with_the_line_to_add(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = build_repo(tmp_path / "repo")
    schema = repo / "project" / "models" / "schema.yml"
    schema.write_text(
        schema.read_text().replace("data_tests: [unique, not_null]", "data_tests: [not_null]")
    )
    git(repo, "commit", "-qam", "no unique tests")
    git(repo, "tag", "-f", "candidate")
    git(repo, "tag", "-f", "production")
    code, _ = run(repo, tmp_path)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1
    assert "dbt model 'customers' has no key" in err[0]
    assert "models/schema.yml" in err[0]
    assert "columns: - name: customer_id  tests: [unique]" in err[0]


def test_state_selection_resolved_once_for_both_versions(
    shop: tuple[int, dict[str, Any], Path, dict[str, str]], tmp_path: Path
) -> None:
    """`+state:modified+` against production's manifest: resolved in the candidate's checkout,
    so production builds the same models (resolved in its own, it would select nothing)."""
    _, _, base, _ = shop
    repo = build_repo(
        tmp_path / "repo", spec_extra='select = "+state:modified+"\nstate = "prod-state"\n'
    )
    shutil.copytree(base / "run" / "production" / "dbt" / "target", repo / "prod-state")
    code, report = run(repo, tmp_path)
    assert code == 1, report
    found = {d["name"]: d for d in report["datasets"]}
    assert set(found) == set(PLANTED) | set(NEW)  # the modified models, parents and children
    assert found["stg_orders"]["rows_with_differences"] == 0
    assert found["customers"]["only_in_production"] == 2


def test_candidate_build_failure_is_a_finding(tmp_path: Path) -> None:
    """A candidate whose model fails to build: dbt exits 1, what it built is still compared, the
    model it could not build is only in production."""
    repo = build_repo(tmp_path / "repo")
    broken = repo / "project" / "models" / "daily_revenue.sql"
    broken.write_text(broken.read_text().replace("sum(amount)", "sum(no_such_column)"))
    git(repo, "commit", "-qam", "candidate: a broken model")
    git(repo, "tag", "-f", "candidate")
    code, report = run(repo, tmp_path)
    assert code == 1
    assert report["run"]["candidate"]["status"] == "failed"
    assert report["run"]["production"]["status"] == "succeeded"
    found = {d["name"]: d for d in report["datasets"]}
    assert found["daily_revenue"]["status"] == "only_in_production"
    assert found["orders"]["rows_with_differences"] == 3

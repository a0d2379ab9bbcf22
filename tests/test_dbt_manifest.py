"""Keys from a dbt project's manifest, and the preset's spec keys (no dbt needed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dataops_diff.dbt.manifest import models
from dataops_diff.dbt.preset import command
from dataops_diff.errors import SpecError
from dataops_diff.spec.run import load


def model(name: str, **config: Any) -> dict[str, Any]:
    return {
        "resource_type": "model", "name": name, "schema": "main", "alias": name,
        "config": {"materialized": "table", **config}, "patch_path": "shop://models/schema.yml",
        "original_file_path": f"models/{name}.sql", "columns": {},
    }  # fmt: skip


def dbt_test(name: str, on: str, **kwargs: Any) -> dict[str, Any]:
    return {
        "resource_type": "test", "attached_node": f"model.shop.{on}",
        "test_metadata": {"name": name, "kwargs": kwargs},
    }  # fmt: skip


def write(tmp_path: Path, nodes: dict[str, Any], ran: list[str] | None = None) -> str:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({"nodes": nodes}))
    if ran is not None:
        results = [{"unique_id": u, "status": "success"} for u in ran]
        (tmp_path / "run_results.json").write_text(json.dumps({"results": results}))
    return str(path)


def test_keys_from_tests_and_config(tmp_path: Path) -> None:
    nodes = {
        "model.shop.a": model("a"),
        "model.shop.b": model("b"),
        "model.shop.c": model("c", unique_key=["day", "shop_id"]),
        "model.shop.d": model("d", unique_key="lower(email)"),  # an expression: no key
        "model.shop.e": model("e", materialized="ephemeral"),
        "test.1": dbt_test("unique", "a", column_name="zeta"),
        "test.2": dbt_test("unique", "a", column_name="alpha"),
        "test.3": dbt_test("not_null", "a", column_name="zeta"),
        "test.4": dbt_test("unique_combination_of_columns", "b", combination_of_columns=["x", "y"]),
        "test.5": dbt_test("unique", "b", column_name="coalesce(x, y)"),
    }
    found = models(write(tmp_path, nodes), "production")
    assert set(found) == {"a", "b", "c", "d"}  # ephemeral models build no table
    assert (found["a"].key, found["a"].key_from) == (("zeta",), "unique test")  # not_null too
    assert found["b"].key == ("x", "y")
    assert found["b"].key_from == "unique_combination_of_columns test"
    assert (found["c"].key, found["c"].key_from) == (("day", "shop_id"), "unique_key config")
    assert found["d"].key == ()
    assert found["a"].table == "main.a"
    assert found["a"].schema_file == "models/schema.yml"


def test_only_models_dbt_built(tmp_path: Path) -> None:
    nodes = {"model.shop.a": model("a"), "model.shop.b": model("b")}
    assert set(models(write(tmp_path, nodes, ran=["model.shop.b"]), "candidate")) == {"b"}


def test_unreadable_manifest_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "manifest.json"
    bad.write_text("{not json")
    with pytest.raises(Exception, match=r"candidate's dbt manifest .*manifest\.json"):
        models(str(bad), "candidate")


def spec(tmp_path: Path, pipeline: str) -> Path:
    path = tmp_path / "dataops-diff.toml"
    path.write_text(f"[pipeline]\n{pipeline}\n")
    return path


def test_preset_command(tmp_path: Path) -> None:
    (tmp_path / "prod-state").mkdir()
    text = (
        'preset = "dbt"\nproject_dir = "transform"\ntarget = "ci"\nselect = "state:modified+"\n'
        'state = "prod-state"\nargs = ["build", "--full-refresh"]\ndbt = "dbt"'
    )
    loaded = load(str(spec(tmp_path, text)))
    assert loaded.preset is not None
    assert loaded.command == command(loaded.preset)
    line = list(loaded.command)
    assert line[:3] == ["dbt", "build", "--full-refresh"]
    assert line[line.index("--project-dir") + 1] == "{root}/transform"
    assert line[line.index("--profiles-dir") + 1] == "{run_dir}/{side}/dbt"
    assert line[line.index("--target-path") + 1] == "{run_dir}/{side}/dbt/target"
    assert line[line.index("--log-path") + 1] == "{run_dir}/{side}/dbt/logs"
    assert line[line.index("--target") + 1] == "ci"
    assert line[line.index("--select") + 1] == "state:modified+"
    assert line[line.index("--state") + 1] == str(tmp_path / "prod-state")
    assert loaded.env["DBT_SEND_ANONYMOUS_USAGE_STATS"] == "false"


@pytest.mark.parametrize(
    ("pipeline", "fragments"),
    [
        ('preset = "airflow"', ["pipeline.preset", "not a preset"]),
        ('preset = "dbt"\ncommand = ["dbt"]', ["pipeline.command", "set by preset"]),
        ('command = ["x"]\nselect = "orders"', ["pipeline.select", 'add preset = "dbt"']),
        ('preset = "dbt"\nselect = "state:modified"', ["pipeline.select", "add state"]),
        ('preset = "dbt"\nstate = "nowhere"', ["pipeline.state", "not a folder"]),
        ('preset = "dbt"\nproject_dir = "../up"', ["pipeline.project_dir", "inside"]),
        ('preset = "dbt"\nargs = "build"', ["pipeline.args"]),
    ],
)
def test_preset_spec_errors(tmp_path: Path, pipeline: str, fragments: list[str]) -> None:
    with pytest.raises(SpecError) as caught:
        load(str(spec(tmp_path, pipeline)))
    for fragment in fragments:
        assert fragment in str(caught.value)


def test_preset_datasets_need_no_key(tmp_path: Path) -> None:
    path = spec(tmp_path, 'preset = "dbt"\n\n[datasets.orders]\nabs_tol = 0.01')
    assert load(str(path)).datasets[0].spec.key == ()


def test_project_dir_without_dbt_project_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import subprocess

    from hostile import assert_error, invoke

    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "dataops-diff.toml").write_text('[pipeline]\npreset = "dbt"\nproject_dir = "nope"\n')
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "x"]):
        subprocess.run([*git, *args], cwd=repo, check=True, capture_output=True)
    refs = ["--production-ref", "HEAD", "--candidate-ref", "HEAD"]
    run_dir: list[str | Path] = ["--run-dir", tmp_path / "run", "--quiet"]
    outcome = invoke(capsys, "run", "--spec", repo / "dataops-diff.toml", *refs, *run_dir)
    assert_error(outcome, 2, "dbt_project.yml", "pipeline.project_dir")

"""Errors name a setting neutrally; only the CLI turns it into words (issue 13, issue 11 item 18).

The same setting is a flag to a ``compare`` user, the spec key that set it to a ``run`` user, and
a field to a Python user. Each case asserts the wording each of them sees; compare's messages are
the ones they always were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fake_engine
import pytest
import typer
from hostile import assert_error, invoke, snapshot
from test_hostile_runs import inputs, project, run

from dataops_diff import api
from dataops_diff.cli.app import FLAGS, app, worded
from dataops_diff.engines import EngineConfig
from dataops_diff.errors import (
    DATASET_SETTINGS,
    KEY,
    MEMORY_LIMIT,
    RENAMES,
    SETTINGS,
    DataopsDiffError,
    SchemaError,
    UsageError,
)
from dataops_diff.policy import PolicyNameError, policy_from_dict
from dataops_diff.spec import DatasetSpec


def _files(tmp_path: Path) -> tuple[Path, Path]:
    prod, cand = tmp_path / "prod.csv", tmp_path / "cand.csv"
    prod.write_text("id,name,amount\n1,a,1.5\n2,b,2.5\n")
    cand.write_text("id,name,amount\n1,a,1.5\n2,b,2.75\n")
    return prod, cand


# ------------------------------------------------------------------------------- compare: flags
@pytest.mark.parametrize(
    ("flags", "line"),
    [
        (("--key", "id", "--memory-limit", "lots"),
         "--memory-limit 'lots' is not a size; use e.g. 4GB, 4GiB, 512MB or 60%"),
        (("--key", "nope"), "(columns: id, name, amount); pass a --key that both versions have"),
        (("--key", "id", "--rename", "amount=amt"),
         "(columns: id, name, amount); fix --rename amount=amt"),
        (("--key", "id", "--ignore-column", "ghost"), "; fix --ignore-column ghost"),
        (("--key", "id", "--abs-tol", "ghost=1"), "; fix --abs-tol ghost=..."),
        (("--key", "id", "--abs-tol", "name=1"),
         "--abs-tol name=1.0: column 'name' of dataset 'prod' is not numeric"),
        (("--key", "id", "--rename", "name=id"),
         "--rename name=id: 'id' is the candidate's key column of dataset 'prod'"),
        (("--key", "id", "--engine", "nope"), "unknown engine 'nope'; use --engine with one of"),
    ],
)  # fmt: skip
def test_compare_names_the_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: tuple[str, ...], line: str
) -> None:
    prod, cand = _files(tmp_path)
    before = snapshot(prod, cand)
    outcome = invoke(capsys, "compare", prod, cand, *flags, "--quiet")
    text = assert_error(outcome, 2, line)
    assert "DatasetSpec" not in text
    assert "EngineConfig" not in text
    assert snapshot(prod, cand) == before


def test_compare_names_the_temp_dir_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prod, cand = _files(tmp_path)
    missing = tmp_path / "nowhere"
    outcome = invoke(capsys, "compare", prod, cand, "--key", "id", "--temp-dir", missing)
    assert_error(outcome, 2, f"--temp-dir '{missing}' is not a folder; create it or pick another")


def test_compare_names_the_format_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prod, cand = tmp_path / "prod.data", tmp_path / "cand.data"
    prod.write_text("id\n1\n")
    cand.write_text("id\n1\n")
    outcome = invoke(capsys, "compare", prod, cand, "--key", "id")
    assert_error(outcome, 2, f"cannot infer the format of production file '{prod}'; pass --format")


# -------------------------------------------------------------------------- run: spec or flag
def test_run_names_the_defaults_key_that_set_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistake only the comparison finds (a rename onto the key column) still names the spec
    key, as spec.columns does for the mistakes found before the comparison."""
    root = project(tmp_path, extra='renames = { value = "id" }\n')
    spec = root / "dataops-diff.toml"
    before = inputs(root)
    outcome, _ = run(capsys, root)
    line = assert_error(
        outcome, 2, f"defaults.renames in {spec} value=id: 'id' is the candidate's key column"
    )
    assert "--rename" not in line
    assert inputs(root) == before


def test_run_names_the_dataset_table_that_set_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path, extra='[datasets.orders]\nrenames = { value = "id" }\n')
    spec = root / "dataops-diff.toml"
    outcome, _ = run(capsys, root)
    line = assert_error(outcome, 2, f"datasets.orders.renames in {spec} value=id")
    assert "--" not in line.split(str(spec))[1]


def test_run_names_the_flag_the_user_passed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project(tmp_path)
    before = inputs(root)
    outcome, _ = run(capsys, root, "--memory-limit", "lots")
    assert_error(outcome, 2, "--memory-limit 'lots' is not a size")
    assert inputs(root) == before


def test_the_python_run_api_names_the_spec_key(tmp_path: Path) -> None:
    from dataops_diff.spec import load_spec

    root = project(tmp_path, extra='renames = { value = "id" }\n')
    spec = load_spec(str(root / "dataops-diff.toml"))
    with pytest.raises(SchemaError) as caught:
        api.run(spec, run_dir=str(tmp_path / "run"))
    (setting,) = caught.value.settings
    assert setting.name == "renames"
    assert setting.spec_key == "defaults.renames"
    assert f"defaults.renames in {spec.path} value=id" in str(caught.value)


# ---------------------------------------------------------------------------------- Python API
def test_the_python_api_names_the_field(tmp_path: Path) -> None:
    prod, cand = _files(tmp_path)
    with pytest.raises(SchemaError) as caught:
        api.compare(str(prod), str(cand), DatasetSpec(key=("nope",)))
    assert caught.value.settings == (KEY.of("prod"),)
    assert "pass a DatasetSpec.key that both versions have" in caught.value.message
    assert "--" not in caught.value.message
    with pytest.raises(SchemaError) as caught:
        api.compare(str(prod), str(cand), DatasetSpec(key=("id",), renames={"ghost": "g"}))
    assert caught.value.settings == (RENAMES.of("prod"),)
    assert "fix DatasetSpec.renames ghost=g" in str(caught.value)


def test_the_python_api_names_engine_config_fields(tmp_path: Path) -> None:
    prod, cand = _files(tmp_path)
    config = EngineConfig(memory_limit="lots")
    with pytest.raises(UsageError) as caught:
        api.compare(str(prod), str(cand), DatasetSpec(key=("id",)), engine_config=config)
    assert caught.value.settings == (MEMORY_LIMIT,)
    assert str(caught.value).startswith("EngineConfig.memory_limit 'lots' is not a size")
    with pytest.raises(UsageError, match="use engine with one of"):
        api.compare(str(prod), str(cand), DatasetSpec(key=("id",)), engine="nope")


def test_the_python_api_names_dataset_spec_samples() -> None:
    with pytest.raises(UsageError) as caught:
        DatasetSpec(key=("id",), samples=-1)
    assert str(caught.value).startswith("DatasetSpec.samples is -1: give a whole number")


# -------------------------------------------------------------------------------- the mechanism
def test_a_value_that_looks_like_a_placeholder_is_text() -> None:
    """Messages are parts, never templates: data holding braces stays as it was."""
    error = UsageError("column '{setting}' ", KEY, " {key}")
    assert error.message == "column '{setting}' DatasetSpec.key {key}"
    assert worded(error, ["compare"]) == "column '{setting}' --key {key}"


def test_an_error_of_one_string_still_reads_as_before() -> None:
    error = DataopsDiffError("plain message")
    assert error.message == str(error) == "plain message"
    assert error.settings == ()


def test_every_setting_has_a_flag_the_cli_knows() -> None:
    """Drift guard: a new Setting needs its flag in cli/app.py, and the flag must exist."""
    commands = getattr(typer.main.get_command(app), "commands", {})
    options = {
        opt
        for name in ("compare", "run")
        for param in getattr(commands[name], "params", [])
        for opt in getattr(param, "opts", [])
    }
    for setting in SETTINGS:
        assert setting.name in FLAGS, setting
        assert FLAGS[setting.name] in options, setting
    assert {s.name for s in DATASET_SETTINGS} <= set(FLAGS)


# --------------------------------------------------------- policy names: before any diff runs
def _folders(tmp_path: Path) -> tuple[Path, Path]:
    """orders on both sides; refunds (with a column 'note') only in the candidate."""
    prod, cand = tmp_path / "prod", tmp_path / "cand"
    for side in (prod, cand):
        side.mkdir()
        (side / "orders.csv").write_text("id,amount\n1,1.5\n2,2.5\n")
    (cand / "refunds.csv").write_text("id,note\n1,x\n")
    return prod, cand


def _count_diffs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Register the fake engine and record every dataset it diffs."""
    fake_engine.register(monkeypatch)
    calls: list[str] = []
    original = fake_engine.FakeEngine.diff

    def counted(self: Any, production: Any, candidate: Any, *rest: Any) -> Any:
        calls.append(production.name)
        return original(self, production, candidate, *rest)

    monkeypatch.setattr(fake_engine.FakeEngine, "diff", counted)
    return calls


def test_a_misspelt_policy_name_stops_compare_before_any_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prod, cand = _folders(tmp_path)
    calls = _count_diffs(monkeypatch)
    policy = policy_from_dict({"columns": {"amout": {"max_psi": 0.1}}}, "tests: policy")
    with pytest.raises(PolicyNameError, match="closest: amount"):
        api.compare(str(prod), str(cand), DatasetSpec(key=("id",)), engine="fake", policy=policy)
    assert calls == []


def test_a_name_only_a_one_sided_dataset_has_is_known_before_the_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prod, cand = _folders(tmp_path)
    calls = _count_diffs(monkeypatch)
    policy = policy_from_dict({"datasets": {"refunds": {"columns": {"note": {}}}}}, "tests")
    report = api.compare(
        str(prod), str(cand), DatasetSpec(key=("id",)), engine="fake", policy=policy
    )
    assert calls == ["orders"]
    assert {d.name: d.status for d in report.datasets}["refunds"] == "only_in_candidate"
    typo = policy_from_dict({"datasets": {"refunds": {"columns": {"note_": {}}}}}, "tests")
    with pytest.raises(PolicyNameError, match="closest: note"):
        api.compare(str(prod), str(cand), DatasetSpec(key=("id",)), engine="fake", policy=typo)
    assert calls == ["orders"]  # no second diff


def test_a_misspelt_policy_flag_stops_the_cli_before_any_diff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    prod, cand = _folders(tmp_path)
    calls = _count_diffs(monkeypatch)
    before = snapshot(prod, cand)
    outcome = invoke(
        capsys, "compare", prod, cand, "--key", "id", "--engine", "fake", "--max-psi", "amout=0.1"
    )
    assert_error(outcome, 2, "--max-psi", "amout", "closest: amount")
    assert calls == []
    assert snapshot(prod, cand) == before

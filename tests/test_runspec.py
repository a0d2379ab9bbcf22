"""The shadow-run spec: loading, defaults, overrides, placeholders and every validation message."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from dataops_diff.errors import SpecError
from dataops_diff.spec import STARTER_SPEC, DatasetSpec, expand, with_overrides
from dataops_diff.spec import load_spec as load

FULL = """
[pipeline]
command = ["{python}", "job.py", "--in", "{input.events}", "--out", "{output}"]
cwd = "jobs"
timeout = 90
[pipeline.env]
TZ = "UTC"
OUT = "{output}"

[production]
ref = "main"

[candidate]
command = ["{python}", "job2.py", "{output}"]
python = "venv/bin/python"
env = { FLAG = "on" }

[inputs]
events = "data/events.csv"
lookup = "data/lookup"

[defaults]
key = ["id"]
abs_tol = 0.5

[datasets.orders]
path = "marts/orders.parquet"
key = ["order_id", "line"]
abs_tol = { amount = 0.01 }
rel_tol = 0.001
ignore_columns = ["loaded_at"]
ignore_case = true
ignore_spaces = true
renames = { total = "total_amount" }
format = "parquet"
samples = 3

[datasets.users]

[policy]
max_slowdown = "50%"
[policy.datasets.orders]
allow = ["column_added"]
"""


def write(tmp_path: Path, text: str, name: str = "dataops-diff.toml") -> str:
    (tmp_path / "data" / "lookup").mkdir(parents=True, exist_ok=True)
    (tmp_path / "data" / "events.csv").write_text("id\n1\n")
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_full_spec_loads(tmp_path: Path) -> None:
    spec = load(write(tmp_path, FULL))
    assert spec.command == ("{python}", "job.py", "--in", "{input.events}", "--out", "{output}")
    assert spec.cwd == "jobs"
    assert spec.timeout == 90.0
    assert spec.env == {"TZ": "UTC", "OUT": "{output}"}
    assert spec.production.ref == "main"
    assert spec.production.command is None
    assert spec.command_for("production") == spec.command
    assert spec.candidate.ref is None
    assert spec.command_for("candidate") == ("{python}", "job2.py", "{output}")
    assert spec.candidate.python == str(tmp_path / "venv" / "bin" / "python")
    assert spec.candidate.env == {"FLAG": "on"}
    assert spec.inputs == {
        "events": str(tmp_path / "data" / "events.csv"),
        "lookup": str(tmp_path / "data" / "lookup"),
    }
    assert spec.base_dir == str(tmp_path)
    assert spec.defaults == DatasetSpec(key=("id",), abs_tol=0.5)
    orders, users = spec.datasets
    assert orders.name == "orders"
    assert orders.path == "marts/orders.parquet"
    assert orders.spec == DatasetSpec(
        key=("order_id", "line"),
        abs_tol=0.5,  # inherited from [defaults]
        rel_tol=0.001,
        column_abs_tol={"amount": 0.01},
        ignore_columns=("loaded_at",),
        ignore_case=True,
        ignore_spaces=True,
        renames={"total": "total_amount"},
        samples=3,
        format="parquet",
    )
    assert users.path is None
    assert users.spec == spec.defaults
    assert spec.policy == {
        "max_slowdown": "50%",
        "datasets": {"orders": {"allow": ["column_added"]}},
    }


def test_minimal_spec_and_defaults(tmp_path: Path) -> None:
    spec = load(write(tmp_path, '[pipeline]\ncommand = ["make", "run"]\n'))
    assert spec.shell is False
    assert spec.cwd == "."
    assert spec.timeout is None
    assert spec.production.ref is None
    assert spec.candidate.ref is None
    assert spec.datasets == ()
    assert spec.defaults.key == ()
    assert spec.policy == {}


def test_datasets_default_table_is_the_defaults(tmp_path: Path) -> None:
    text = '[pipeline]\ncommand = ["x"]\n[datasets.default]\nkey = ["k"]\n[datasets.a]\n'
    spec = load(write(tmp_path, text))
    assert spec.defaults.key == ("k",)
    assert [d.name for d in spec.datasets] == ["a"]
    assert spec.datasets[0].spec.key == ("k",)


def test_shell_command_is_a_string(tmp_path: Path) -> None:
    spec = load(write(tmp_path, '[pipeline]\nshell = true\ncommand = "make run OUT={output}"\n'))
    assert spec.shell is True
    assert spec.command == "make run OUT={output}"


def test_overrides_win(tmp_path: Path) -> None:
    spec = load(write(tmp_path, FULL))
    changed = with_overrides(spec, production_ref="v1", candidate_ref="feature", timeout=5)
    assert changed.production.ref == "v1"
    assert changed.candidate.ref == "feature"
    assert changed.timeout == 5
    assert with_overrides(spec, production_ref="").production.ref is None  # the working tree
    assert with_overrides(spec) == spec
    with pytest.raises(SpecError, match=r"RunSpec\.timeout must be a positive number"):
        with_overrides(spec, timeout=0)


def test_expand_placeholders() -> None:
    values = {"output": "/o", "input.events": "/e.csv"}
    assert expand("--out={output}", values) == "--out=/o"
    assert expand("{input.events}", values) == "/e.csv"
    assert expand("{{literal}} {output}", values) == "{literal} /o"


def test_starter_spec_is_valid(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "transactions.csv").write_text("id\n")
    spec = load(write(tmp_path, STARTER_SPEC))
    assert spec.production.ref == "main"
    assert spec.candidate.ref is None
    assert spec.defaults.key == ("id",)
    assert "{output}" in spec.command


BASE = '[pipeline]\ncommand = ["x"]\n'
CASES = [
    ("", "pipeline is missing; add [pipeline]"),
    ("[pipeline]\ncwd = 'a'\n", "pipeline.command is missing"),
    (
        '[pipeline]\ncommand = "python job.py"\n',
        "pipeline.command must be a list of arguments (it is not run through a shell); "
        'e.g. command = ["python", "job.py"]',
    ),
    ("[pipeline]\ncommand = []\n", "pipeline.command must be a non-empty list of strings"),
    ('[pipeline]\ncommand = [""]\n', "pipeline.command must start with a program"),
    (
        '[pipeline]\nshell = true\ncommand = ["a"]\n',
        "pipeline.command must be a string when shell = true",
    ),
    (
        '[pipeline]\ncommand = ["x"]\ntimout = 3\n',
        "pipeline.timout is not a known key; "
        "use one of: baseline, command, cwd, env, shell, timeout",
    ),
    (
        BASE + "[pipelines]\n",
        "pipelines is not a known key; "
        "use one of: candidate, datasets, defaults, inputs, pipeline, policy, production",
    ),
    ('[pipeline]\ncommand = ["x"]\ntimeout = 0\n', "pipeline.timeout must be a positive number"),
    ('[pipeline]\ncommand = ["x"]\ntimeout = "1h"\n', "pipeline.timeout must be a positive number"),
    (
        '[pipeline]\ncommand = ["x"]\ncwd = "/abs"\n',
        "pipeline.cwd must be relative to the version's checkout",
    ),
    (
        '[pipeline]\ncommand = ["x"]\nenv = { A = 1 }\n',
        'pipeline.env.A must be a string; e.g. A = "1"',
    ),
    (
        '[pipeline]\ncommand = ["x", "{outptu}"]\n',
        "pipeline.command uses an unknown placeholder {outptu}; "
        "use one of {output}, {python}, {root}, {run_dir}, {side}",
    ),
    (
        '[pipeline]\ncommand = ["x", "{input.nope}"]\n',
        "pipeline.command uses an unknown placeholder {input.nope}",
    ),
    (BASE + '[candidate]\nenv = { A = "{side" }\n', ""),  # a lone brace is not a placeholder
    (
        BASE + '[candidate]\nenv = { A = "{sides}" }\n',
        "candidate.env.A uses an unknown placeholder {sides}",
    ),
    (BASE + "[production]\nref = 3\n", "production.ref must be a non-empty string"),
    (
        BASE + '[production]\nbranch = "main"\n',
        "production.branch is not a known key; use one of: command, env, python, ref",
    ),
    (BASE + '[candidate]\ncommand = "run"\n', "candidate.command must be a list of arguments"),
    (BASE + '[inputs]\nevents = "missing.csv"\n', "inputs.events 'missing.csv' does not exist"),
    (BASE + '[inputs]\n"a b" = "data/events.csv"\n', "inputs.a b is not a usable name"),
    (
        BASE + '[datasets.orders]\nkey = "order_id"\n',
        'datasets.orders.key must be a list of column names; e.g. key = ["order_id"]',
    ),
    (BASE + "[datasets.orders]\nkey = []\n", "datasets.orders.key must be a list of column names"),
    (BASE + '[datasets.orders]\nkeys = ["id"]\n', "datasets.orders.keys is not a known key"),
    (BASE + "[datasets.orders]\nabs_tol = -1\n", "datasets.orders.abs_tol must be a number >= 0"),
    (
        BASE + '[datasets.orders]\nrel_tol = { amount = "x" }\n',
        "datasets.orders.rel_tol.amount must be a number >= 0",
    ),
    (
        BASE + '[datasets.orders]\nformat = "xlsx"\n',
        "datasets.orders.format 'xlsx' is not a known format; "
        "use one of: parquet, csv, json, arrow",
    ),
    (
        BASE + "[datasets.orders]\nsamples = -1\n",
        "datasets.orders.samples must be a whole number >= 0",
    ),
    (
        BASE + "[datasets.orders]\nrenames = { a = 1 }\n",
        "datasets.orders.renames.a must be the candidate's column name",
    ),
    (
        BASE + '[datasets.orders]\npath = "../x.csv"\n',
        "datasets.orders.path must stay inside the output folder",
    ),
    (
        BASE + "[datasets.orders]\nignore_case = 1\n",
        "datasets.orders.ignore_case must be true or false",
    ),
    (
        BASE + '[defaults]\nkey = ["a"]\n[datasets.default]\nkey = ["b"]\n',
        "datasets.default repeats [defaults]; keep one of the two tables",
    ),
    (BASE + '[defaults]\npath = "x"\n', "defaults.path is not a known key"),
    ("datasets = 3\n" + BASE, "datasets must be a table"),
    ("policy = 3\n" + BASE, "policy must be a table"),
]


@pytest.mark.parametrize(("text", "message"), CASES)
def test_validation_messages_name_file_key_and_fix(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    if not message:
        load(path)
        return
    with pytest.raises(SpecError) as info:
        load(path)
    assert info.value.message.startswith(f"{path}: ")
    assert message in info.value.message
    assert "\n" not in info.value.message


def test_missing_file_points_to_init(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"does not exist; run `dataops-diff init`"):
        load(str(tmp_path / "nope.toml"))


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[pipeline\n")
    with pytest.raises(SpecError, match=r"invalid TOML: .*line 1.*; fix the syntax"):
        load(path)


def test_python_without_slash_is_looked_up_on_path(tmp_path: Path) -> None:
    spec = load(write(tmp_path, BASE + '[candidate]\npython = "python3.12"\n'))
    assert spec.candidate.python == "python3.12"
    assert sys.executable  # the default {python}, see test_runner


def test_a_setting_names_the_spec_key_it_came_from(tmp_path: Path) -> None:
    spec = load(write(tmp_path, FULL))
    assert spec.setting("orders", "key") == "datasets.orders.key"
    assert spec.setting("orders", "abs_tol") == "datasets.orders.abs_tol"
    assert spec.setting("users", "key") == "defaults.key"  # listed, key from [defaults]
    assert spec.setting("refunds", "ignore_columns") == "defaults.ignore_columns"  # not listed
    alias = FULL.replace("[defaults]", "[datasets.default]")
    assert load(write(tmp_path, alias)).setting("users", "key") == "datasets.default.key"


def test_a_nested_dataset_name_is_quoted_as_toml_spells_it(tmp_path: Path) -> None:
    text = FULL.replace("[datasets.users]", '[datasets."marts/users"]\nkey = ["user_id"]')
    spec = load(write(tmp_path, text))
    assert spec.setting("marts/users", "key") == 'datasets."marts/users".key'

"""Hostile inputs on columns read as text (issue 12, item 15): ``--text-column COL``,
``--all-text``, and ``text_columns`` / ``all_text`` in a run spec.

A column read as text compares by its written form exactly (``007`` is not ``7``, ``1.10`` is not
``1.1``), in both engines. Names are exact, one per flag: commas, quotes, spaces, ``[`` and ``*``
are parts of a name. A name no version has is one error naming the flag or key and the closest
names; a comparison of typed formats only (Parquet) refuses the option instead of ignoring it.
Every case asserts the exit code, the counts or the one stderr line, and unchanged inputs.
"""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostile import assert_error, invoke, snapshot

Capsys = pytest.CaptureFixture[str]


def _csv(folder: Path, name: str, header: list[str], rows: list[list[str]]) -> Path:
    """A CSV file, every header name quoted (so commas, quotes and brackets stay in it)."""

    def quoted(value: str) -> str:
        return '"' + value.replace('"', '""') + '"'

    lines = [",".join(quoted(h) for h in header)] + [",".join(r) for r in rows]
    path = folder / f"{name}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _compare(capsys: Capsys, tmp_path: Path, p: Path, c: Path, *flags: str) -> tuple[int, Any]:
    before = snapshot(p, c)
    report = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.json"
    out = invoke(capsys, "compare", p, c, "--key", "id", "--json", report, "--quiet", *flags)
    assert out.stderr == "", out.stderr
    assert snapshot(p, c) == before
    (dataset,) = json.loads(report.read_text(encoding="utf-8"))["datasets"]
    return out.code, dataset


def _unequal(dataset: dict[str, Any], name: str) -> int:
    (col,) = [c for c in dataset["columns"] if c["name"] == name]
    return int(col["unequal"])


def _error(capsys: Capsys, p: Path, c: Path, *flags: str) -> str:
    before = snapshot(p, c)
    out = invoke(capsys, "compare", p, c, "--key", "id", *flags)
    assert snapshot(p, c) == before
    return out.stderr if out.code == 2 else f"exit {out.code}: {out.stderr}"


# ------------------------------------------------------------------ names as they are written
ODD_NAMES = ["amount, net", 'say "hi"', "zip code", "[x]", "*", "a*b"]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_an_odd_column_name_is_read_as_text(capsys: Capsys, tmp_path: Path, name: str) -> None:
    """``007`` -> ``7`` and ``1.10`` -> ``1.1`` are equal numbers, and changes in text."""
    p = _csv(tmp_path, "p", ["id", name, "other"], [["1", "007", "007"], ["2", "1.10", "1.10"]])
    c = _csv(tmp_path, "c", ["id", name, "other"], [["1", "7", "7"], ["2", "1.1", "1.1"]])
    code, dataset = _compare(capsys, tmp_path, p, c, "--text-column", name)
    assert (code, _unequal(dataset, name)) == (1, 2)
    types = {t["column"] for t in dataset["schema"]["type_changes"]}
    assert name not in types  # text on both sides: no type change
    code, dataset = _compare(capsys, tmp_path, p, p, "--text-column", name)
    assert (code, _unequal(dataset, name)) == (0, 0)


def test_a_star_names_the_column_star_not_every_column(capsys: Capsys, tmp_path: Path) -> None:
    p = _csv(tmp_path, "p", ["id", "*", "n"], [["1", "1.0", "1.0"]])
    c = _csv(tmp_path, "c", ["id", "*", "n"], [["1", "1", "1"]])
    _, dataset = _compare(capsys, tmp_path, p, c, "--text-column", "*")
    assert (_unequal(dataset, "*"), _unequal(dataset, "n")) == (1, 0)
    _, dataset = _compare(capsys, tmp_path, p, c, "--all-text")
    assert (_unequal(dataset, "*"), _unequal(dataset, "n")) == (1, 1)


def test_a_text_key_matches_by_written_form(capsys: Capsys, tmp_path: Path) -> None:
    """``--text-column id``: ``01`` and ``1`` are two keys, not one."""
    p = _csv(tmp_path, "p", ["id", "v"], [["01", "a"], ["2", "b"]])
    c = _csv(tmp_path, "c", ["id", "v"], [["1", "a"], ["2", "b"]])
    code, dataset = _compare(capsys, tmp_path, p, c, "--text-column", "id")
    assert (code, dataset["only_in_production"], dataset["only_in_candidate"]) == (1, 1, 1)
    assert dataset["matched_rows"] == 1


# -------------------------------------------------------------------------------- bad names
@pytest.mark.parametrize(
    ("flag", "fragments"),
    [
        ("Amount", ["--text-column 'Amount'", "closest: 'amount'", "fix --text-column"]),
        ("amount ", ["--text-column 'amount '", "closest: 'amount'"]),
        ("ammount", ["--text-column 'ammount'", "closest: 'amount'"]),
        ("zzz", ["--text-column 'zzz'", "columns: id, amount"]),
    ],
)
def test_a_name_no_version_has_is_named_with_the_closest(
    capsys: Capsys, tmp_path: Path, flag: str, fragments: list[str]
) -> None:
    p = _csv(tmp_path, "p", ["id", "amount"], [["1", "2"]])
    c = _csv(tmp_path, "c", ["id", "amount"], [["1", "2"]])
    out = invoke(capsys, "compare", p, c, "--key", "id", "--text-column", flag)
    assert_error(out, 2, *fragments)


def test_an_empty_name_is_refused(capsys: Capsys, tmp_path: Path) -> None:
    p = _csv(tmp_path, "p", ["id", "v"], [["1", "2"]])
    before = snapshot(p)
    out = invoke(capsys, "compare", p, p, "--key", "id", "--text-column", "")
    assert_error(out, 2, "--text-column ''", "names no column")
    assert snapshot(p) == before


@pytest.mark.parametrize("flags", [["--text-column", "v"], ["--all-text"]])
def test_the_option_on_parquet_is_refused(capsys: Capsys, tmp_path: Path, flags: list[str]) -> None:
    """Parquet columns carry declared types: text reading would do nothing there, so asking
    for it on Parquet only is an error rather than a silent no-op."""
    paths = []
    for name in ("p", "c"):
        path = tmp_path / f"{name}.parquet"
        pq.write_table(pa.table({"id": [1], "v": [1.5]}), path)
        paths.append(path)
    before = snapshot(*paths)
    out = invoke(capsys, "compare", *paths, "--key", "id", *flags)
    assert_error(out, 2, flags[0], "CSV and JSON files only", "parquet", f"drop {flags[0]}")
    assert snapshot(*paths) == before


def test_a_folder_of_csv_and_parquet_reads_the_csv_column_as_text(
    capsys: Capsys, tmp_path: Path
) -> None:
    for side, zip_code in (("p", "007"), ("c", "7")):
        (tmp_path / side).mkdir()
        _csv(tmp_path / side, "people", ["id", "zip"], [["1", zip_code], ["2", "12"]])
        pq.write_table(pa.table({"id": [1], "v": [1.5]}), tmp_path / side / "prices.parquet")
    before = snapshot(tmp_path / "p", tmp_path / "c")
    report = tmp_path / "r.json"
    out = invoke(capsys, "compare", tmp_path / "p", tmp_path / "c", "--key", "id",
                 "--text-column", "zip", "--json", report, "--quiet")  # fmt: skip
    assert out.code == 1, out.stderr
    datasets = {d["name"]: d for d in json.loads(report.read_text())["datasets"]}
    assert _unequal(datasets["people"], "zip") == 1
    assert datasets["people"]["schema"]["type_changes"] == []
    assert snapshot(tmp_path / "p", tmp_path / "c") == before


# ------------------------------------------------------------------------- renames, late text
def test_a_renamed_column_is_text_on_both_sides(capsys: Capsys, tmp_path: Path) -> None:
    """The production name is given; the candidate's renamed column is read as text too."""
    p = _csv(tmp_path, "p", ["id", "zip"], [["1", "007"], ["2", "12"]])
    c = _csv(tmp_path, "c", ["id", "postcode"], [["1", "7"], ["2", "12"]])
    code, dataset = _compare(
        capsys, tmp_path, p, c, "--rename", "zip=postcode", "--text-column", "zip"
    )
    assert (code, _unequal(dataset, "zip"), dataset["schema"]["type_changes"]) == (1, 1, [])


def test_a_candidate_only_name_is_refused_with_the_closest(capsys: Capsys, tmp_path: Path) -> None:
    p = _csv(tmp_path, "p", ["id", "zip"], [["1", "007"]])
    c = _csv(tmp_path, "c", ["id", "postcode"], [["1", "7"]])
    out = invoke(capsys, "compare", p, c, "--key", "id", "--rename", "zip=postcode",
                 "--text-column", "postcod")  # fmt: skip
    assert_error(out, 2, "--text-column 'postcod'", "closest: 'postcode'")


@pytest.mark.parametrize("flags", [[], ["--text-column", "v"], ["--all-text"]])
def test_a_column_turning_to_text_late_is_read(
    capsys: Capsys, tmp_path: Path, flags: list[str]
) -> None:
    rows = [[str(i), str(i)] for i in range(1, 30_001)]
    p = _csv(tmp_path, "p", ["id", "v"], [*rows, ["30001", "n/a"]])
    c = _csv(tmp_path, "c", ["id", "v"], [*rows, ["30001", "n/b"]])
    code, dataset = _compare(capsys, tmp_path, p, c, *flags)
    assert (code, _unequal(dataset, "v"), dataset["matched_rows"]) == (1, 1, 30_001)


# -------------------------------------------------------------------------------------- JSON
def test_json_numbers_read_as_text_compare_as_written(capsys: Capsys, tmp_path: Path) -> None:
    p, c = tmp_path / "p.json", tmp_path / "c.json"
    p.write_text('{"id": 1, "v": 1000, "w": 1.10}\n{"id": 2, "v": 5, "w": 2}\n')
    c.write_text('{"id": 1, "v": 1e3, "w": 1.1}\n{"id": 2, "v": 5, "w": 2}\n')
    code, dataset = _compare(capsys, tmp_path, p, c)
    assert (code, _unequal(dataset, "v"), _unequal(dataset, "w")) == (0, 0, 0)
    code, dataset = _compare(capsys, tmp_path, p, c, "--text-column", "v")
    assert (code, _unequal(dataset, "v"), _unequal(dataset, "w")) == (1, 1, 0)
    code, dataset = _compare(capsys, tmp_path, p, c, "--all-text")
    assert (code, _unequal(dataset, "v"), _unequal(dataset, "w")) == (1, 1, 1)


# ------------------------------------------------------------------------------------- Spark
@pytest.mark.spark
def test_spark_reads_chosen_columns_as_text(capsys: Capsys, tmp_path: Path) -> None:
    """Both engines read the same columns as text and give the same counts."""
    name = "amount, net"
    p = _csv(tmp_path, "p", ["id", name, "n"], [["1", "007", "1.10"], ["2", "1.10", "2"]])
    c = _csv(tmp_path, "c", ["id", name, "n"], [["1", "7", "1.1"], ["2", "1.1", "2.0"]])
    found = {}
    for engine in ("duckdb", "spark"):
        code, dataset = _compare(capsys, tmp_path, p, c, "--text-column", name, "--engine", engine)
        found[engine] = (code, _unequal(dataset, name), _unequal(dataset, "n"))
        code, dataset = _compare(capsys, tmp_path, p, c, "--all-text", "--engine", engine)
        found[engine + " all"] = (code, _unequal(dataset, name), _unequal(dataset, "n"))
    assert found == {"duckdb": (1, 2, 0), "spark": (1, 2, 0),
                     "duckdb all": (1, 2, 2), "spark all": (1, 2, 2)}  # fmt: skip


# --------------------------------------------------------------------------------- run specs
JOB = """
import os, sys
out, side = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
zip_code = "007" if side == "production" else "7"
with open(os.path.join(out, "people.csv"), "w") as fh:
    fh.write(f"id,zip\\n1,{zip_code}\\n2,12\\n")
"""


def _project(tmp_path: Path, datasets: str) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "job.py").write_text(JOB)
    spec = textwrap.dedent(
        """
        [pipeline]
        command = ["{python}", "job.py", "{output}", "{side}"]
        """
    )
    (root / "dataops-diff.toml").write_text(spec + datasets)
    return root


def _run(capsys: Capsys, root: Path, *flags: str) -> tuple[int, str, Any]:
    before = snapshot(root)
    report = root.parent / "report.json"
    out = invoke(capsys, "run", "--spec", root / "dataops-diff.toml", "--quiet",
                 "--run-dir", root.parent / f"run{len(os.listdir(root.parent))}",
                 "--json", report, *flags)  # fmt: skip
    assert snapshot(root) == before
    found = json.loads(report.read_text()) if out.code != 2 else None
    return out.code, out.stderr, found


def test_run_spec_text_columns_reads_as_text(capsys: Capsys, tmp_path: Path) -> None:
    root = _project(tmp_path, '[datasets.people]\nkey = ["id"]\ntext_columns = ["zip"]\n')
    code, err, report = _run(capsys, root)
    (dataset,) = report["datasets"]
    assert (code, _unequal(dataset, "zip"), dataset["schema"]["type_changes"]) == (1, 1, []), err


def test_run_flag_text_column_reads_as_text(capsys: Capsys, tmp_path: Path) -> None:
    root = _project(tmp_path, '[defaults]\nkey = ["id"]\n')
    code, err, report = _run(capsys, root, "--text-column", "zip")
    (dataset,) = report["datasets"]
    assert (code, _unequal(dataset, "zip"), dataset["schema"]["type_changes"]) == (1, 1, []), err


@pytest.mark.parametrize(
    ("datasets", "flags", "fragments"),
    [
        ('[datasets.people]\nkey = ["id"]\ntext_columns = ["Zip"]\n', [],
         ["datasets.people.text_columns", "'Zip'", "closest: 'zip'"]),
        ('[defaults]\nkey = ["id"]\ntext_columns = ["zipp"]\n', [],
         ["defaults.text_columns", "'zipp'", "which no dataset has"]),
        ('[defaults]\nkey = ["id"]\n', ["--text-column", "ZIP"],
         ["--text-column 'ZIP'", "no dataset of the run", "closest: 'zip'"]),
    ],
)  # fmt: skip
def test_run_names_a_missing_text_column_where_it_was_set(
    capsys: Capsys, tmp_path: Path, datasets: str, flags: list[str], fragments: list[str]
) -> None:
    root = _project(tmp_path, datasets)
    out = invoke(capsys, "run", "--spec", root / "dataops-diff.toml", "--quiet",
                 "--run-dir", tmp_path / "run", *flags)  # fmt: skip
    assert_error(out, 2, *fragments)


@pytest.mark.parametrize(
    ("value", "fragment"),
    [('"zip"', "must be a list of column names"), ('[""]', "must be a list of column names"),
     ("[1]", "must be a list of column names")],
)  # fmt: skip
def test_run_spec_text_columns_must_be_a_list_of_names(
    capsys: Capsys, tmp_path: Path, value: str, fragment: str
) -> None:
    root = _project(tmp_path, f'[defaults]\nkey = ["id"]\ntext_columns = {value}\n')
    out = invoke(capsys, "run", "--spec", root / "dataops-diff.toml", "--run-dir", tmp_path / "r")
    assert_error(out, 2, "defaults.text_columns", fragment)


def test_run_spec_all_text_must_be_a_boolean(capsys: Capsys, tmp_path: Path) -> None:
    root = _project(tmp_path, '[defaults]\nkey = ["id"]\nall_text = "yes"\n')
    out = invoke(capsys, "run", "--spec", root / "dataops-diff.toml", "--run-dir", tmp_path / "r")
    assert_error(out, 2, "defaults.all_text", "must be true or false")


@pytest.mark.spark
def test_spark_reads_json_literals_as_written(capsys: Capsys, tmp_path: Path) -> None:
    """A JSON number read as text is its literal in both engines: 1.10 is not 1.1."""
    p, c = tmp_path / "p.json", tmp_path / "c.json"
    p.write_text('{"id": 1, "v": 1000, "w": 1.10}\n{"id": 2, "v": 5, "w": 2}\n')
    c.write_text('{"id": 1, "v": 1e3, "w": 1.1}\n{"id": 2, "v": 5, "w": 2}\n')
    for engine in ("duckdb", "spark"):
        code, dataset = _compare(capsys, tmp_path, p, c, "--all-text", "--engine", engine)
        assert (code, _unequal(dataset, "v"), _unequal(dataset, "w")) == (1, 1, 1), engine
        code, dataset = _compare(capsys, tmp_path, p, c, "--text-column", "w", "--engine", engine)
        assert (code, _unequal(dataset, "v"), _unequal(dataset, "w")) == (1, 0, 1), engine


# -------------------------------------------------------------------------------- Python API
def test_the_python_api_reads_text_columns(tmp_path: Path) -> None:
    from dataops_diff import DatasetSpec, compare

    p = _csv(tmp_path, "p", ["id", "zip"], [["1", "007"], ["2", "12"]])
    c = _csv(tmp_path, "c", ["id", "zip"], [["1", "7"], ["2", "12"]])
    report = compare(str(p), str(c), DatasetSpec(key=("id",), text_columns=("zip",)))
    (dataset,) = report.datasets
    (column,) = [col for col in dataset.columns if col.name == "zip"]
    assert (column.unequal, dataset.schema.type_changes) == (1, ())


@pytest.mark.parametrize("value", ["zip", ("",)])
def test_the_python_api_refuses_a_bare_string_or_an_empty_name(value: Any) -> None:
    from dataops_diff import DatasetSpec
    from dataops_diff.errors import UsageError

    with pytest.raises(UsageError, match=r"DatasetSpec\.text_columns"):
        DatasetSpec(key=("id",), text_columns=value)

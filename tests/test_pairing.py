"""One pairing for `compare` and `run`: a table of folder shapes, paired identically by both.

Each shape is written as both versions' output; `compare` reads the two folders, `run` copies
them into its output folders with a one-line pipeline. Both must find the same datasets, made of
the same files, and the expected names (docs/semantics.md, "What a dataset is").
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from dataops_diff.cli import main
from dataops_diff.pairing import find_datasets, pair, pair_outputs

ROW = "id,v\n1,a\n2,b\n"
COPY = (
    "import shutil, sys; "
    "shutil.copytree(sys.argv[1], sys.argv[2], symlinks=True, dirs_exist_ok=True)"
)

# shape -> (files relative to the output folder, the dataset names both commands must find)
SHAPES: dict[str, tuple[tuple[str, ...], set[str]]] = {
    "spark part files at the top": (
        ("part-00000.csv", "part-00001.csv", "_SUCCESS"), {"output"}),
    "spark folder beside a file": (
        ("orders/part-00000.csv", "orders/part-00001.csv", "orders/_SUCCESS", "refunds.csv"),
        {"orders", "refunds"}),
    "_SUCCESS marker over two datasets": (
        ("orders.csv", "refunds.csv", "_SUCCESS", "_common_metadata"), {"orders", "refunds"}),
    "hive partitions": (
        ("lines/day=1/x.csv", "lines/day=2/y.csv", "orders.csv"), {"lines", "orders"}),
    "hive partitions at the top": (("day=1/x.csv", "day=2/y.csv"), {"output"}),
    "nested folder of datasets": (
        ("marts/orders.csv", "marts/customers.csv", "top.csv"),
        {"marts/orders", "marts/customers", "top"}),
    "bookkeeping and non-data files": (
        ("orders.csv", ".orders.csv.crc", "_delta_log/0.json", "README.txt"), {"orders"}),
    "dask and duckdb part names": (
        ("a/part.0.csv", "a/part.1.csv", "b/data_0.csv", "b/data_1.csv"), {"a", "b"}),
}  # fmt: skip


def write_shape(root: Path, files: tuple[str, ...]) -> None:
    for rel in files:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ROW if rel.endswith(".csv") else "")


def by_command(report: dict[str, Any], roots: tuple[Path, Path]) -> dict[str, tuple[str, str]]:
    """Dataset name -> its production and candidate paths, relative to each output folder."""
    out = {}
    for d in report["datasets"]:
        paths = (d["production_path"], d["candidate_path"])
        out[d["name"]] = tuple(os.path.relpath(p, r) for p, r in zip(paths, roots, strict=True))
    return out  # type: ignore[return-value]


def run_spec(folder: Path) -> Path:
    spec = folder / "dataops-diff.toml"
    spec.write_text(f"""
[pipeline]
command = ["{{python}}", "-c", "{COPY}", "{{input.production}}", "{{output}}"]
[candidate]
command = ["{{python}}", "-c", "{COPY}", "{{input.candidate}}", "{{output}}"]
[inputs]
production = "p/output"
candidate = "c/output"
[defaults]
key = ["id"]
""")
    return spec


@pytest.mark.parametrize("shape", list(SHAPES))
def test_compare_and_run_pair_identically(tmp_path: Path, shape: str) -> None:
    files, names = SHAPES[shape]
    prod, cand = tmp_path / "p" / "output", tmp_path / "c" / "output"
    write_shape(prod, files)
    write_shape(cand, files)
    compared = tmp_path / "compare.json"
    code = main(["compare", str(prod), str(cand), "--key", "id", "--json", str(compared), "-q"])
    assert code == 0
    ran = tmp_path / "run.json"
    run_dir = tmp_path / "run"
    code = main(["run", "--spec", str(run_spec(tmp_path)), "--run-dir", str(run_dir),
                 "--json", str(ran), "-q"])  # fmt: skip
    assert code == 0
    compare_pairs = by_command(json.loads(compared.read_text()), (prod, cand))
    outputs = (run_dir / "production" / "output", run_dir / "candidate" / "output")
    run_pairs = by_command(json.loads(ran.read_text()), outputs)
    assert set(compare_pairs) == names
    assert run_pairs == compare_pairs


def test_spark_folder_is_one_dataset_of_every_part(tmp_path: Path) -> None:
    write_shape(tmp_path / "out", SHAPES["spark part files at the top"][0])
    ((name, ref),) = find_datasets(str(tmp_path / "out"), "production").items()
    assert name == "out"
    assert [os.path.basename(f) for f in ref.files] == ["part-00000.csv", "part-00001.csv"]


def test_a_marker_never_merges_two_datasets(tmp_path: Path) -> None:
    for side in ("p", "c"):
        write_shape(tmp_path / side, ("orders.csv", "refunds.csv", "_SUCCESS"))
    (tmp_path / "c" / "refunds.csv").write_text("id,v\n1,a\n")  # a row moved out of refunds
    (tmp_path / "c" / "orders.csv").write_text(ROW + "3,b\n")  # and into orders
    pairs = {name: (p, c) for name, p, c in pair(str(tmp_path / "p"), str(tmp_path / "c"))}
    assert set(pairs) == {"orders", "refunds"}
    out = tmp_path / "r.json"
    code = main(["compare", str(tmp_path / "p"), str(tmp_path / "c"), "--key", "id", "--json",
                 str(out), "-q"])  # fmt: skip
    assert code == 1
    report = {d["name"]: d for d in json.loads(out.read_text())["datasets"]}
    assert report["orders"]["only_in_candidate"] == 1
    assert report["refunds"]["only_in_production"] == 1


@pytest.mark.parametrize(
    ("listed", "others"),
    [
        ("marts/orders.csv", {"marts/customers", "top"}),
        ("marts", {"top"}),
        ("top.csv", {"marts/orders", "marts/customers"}),
    ],
)
def test_a_listed_path_claims_exactly_that_path(
    tmp_path: Path, listed: str, others: set[str]
) -> None:
    for side in ("p", "c"):
        write_shape(tmp_path / side, ("marts/orders.csv", "marts/customers.csv", "top.csv"))
    pairs = pair_outputs(str(tmp_path / "p"), str(tmp_path / "c"), [("mine", listed, None)])
    assert pairs[0][0] == "mine"
    assert pairs[0][1] is not None
    assert pairs[0][1].path == str(tmp_path / "p" / listed)
    assert {name for name, _, _ in pairs[1:]} == others


def test_a_listed_partition_leaves_the_folder_to_it(tmp_path: Path) -> None:
    for side in ("p", "c"):
        write_shape(tmp_path / side, ("lines/day=1/x.csv", "lines/day=2/y.csv", "orders.csv"))
    pairs = pair_outputs(str(tmp_path / "p"), str(tmp_path / "c"), [("d1", "lines/day=1", None)])
    assert [name for name, _, _ in pairs] == ["d1", "orders"]


def test_a_changed_sibling_of_a_listed_dataset_is_compared(tmp_path: Path) -> None:
    """Issue 12 item 3: listing marts/orders.csv must not hide marts/customers.csv."""
    for side in ("p", "c"):
        write_shape(tmp_path / side / "output", ("marts/orders.csv", "marts/customers.csv"))
    (tmp_path / "c" / "output" / "marts" / "customers.csv").write_text("id,v\n1,a\n2,CHANGED\n")
    spec = run_spec(tmp_path)
    spec.write_text(spec.read_text() + '[datasets.orders]\npath = "marts/orders.csv"\n')
    out = tmp_path / "r.json"
    code = main(["run", "--spec", str(spec), "--json", str(out), "-q",
                 "--run-dir", str(tmp_path / "run")])  # fmt: skip
    assert code == 1
    report = {d["name"]: d for d in json.loads(out.read_text())["datasets"]}
    assert set(report) == {"orders", "marts/customers"}
    assert report["marts/customers"]["rows_with_differences"] == 1
    assert report["orders"]["identical"] is True

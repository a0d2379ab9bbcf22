"""DuckDB database files as datasets: their tables paired by name, read-only, filtered."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from hostile import assert_error, invoke, snapshot

from dataops_diff import api, dbfiles
from dataops_diff.pairing import pair
from dataops_diff.spec import DatasetSpec
from dataops_diff.spec.run import load

ODD = 'we"ird tåble'  # quotes, a space and a letter outside ASCII


def make_db(path: Path, *, changed: int = 0, extra: str | None = None) -> Path:
    """100 orders (``changed`` of them with another amount), a view, a table in schema ``s2``."""
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE orders AS SELECT range AS id, range * 2 AS amount FROM range(100)")
    con.execute(f"UPDATE orders SET amount = -1 WHERE id < {changed}")
    con.execute("CREATE VIEW recent AS SELECT id, amount FROM orders WHERE id < 10")
    con.execute(f"CREATE SCHEMA s2; CREATE TABLE s2.{dbfiles.quote(ODD)} AS SELECT 1 AS id")
    if extra:
        con.execute(f"CREATE TABLE {extra} AS SELECT 1 AS id")
    con.close()
    return path


@pytest.fixture
def dbs(tmp_path: Path) -> tuple[Path, Path]:
    prod = make_db(tmp_path / "prod.duckdb", extra="only_prod")
    cand = make_db(tmp_path / "cand.db", changed=3)
    return prod, cand


def test_kind_by_magic_bytes(dbs: tuple[Path, Path], tmp_path: Path) -> None:
    other = tmp_path / "orders.db"
    other.write_bytes(b"not a database at all")
    assert dbfiles.kind(str(dbs[0])) == "duckdb"
    assert dbfiles.kind(str(dbs[1])) == "duckdb"  # .db: known by its bytes
    assert dbfiles.kind(str(other)) is None


def test_tables_paired_by_schema_and_name(dbs: tuple[Path, Path]) -> None:
    before = snapshot(*dbs)
    report = api.compare(str(dbs[0]), str(dbs[1]), DatasetSpec(key=("id",)))
    by_name = {d.name: d for d in report.datasets}
    assert set(by_name) == {"only_prod", "orders", "recent", f"s2.{ODD}"}
    assert by_name["only_prod"].status == "only_in_production"
    assert by_name["orders"].rows_with_differences == 3
    assert by_name["orders"].production_rows == 100
    assert by_name["recent"].rows_with_differences == 3  # a view is read as its query
    assert by_name[f"s2.{ODD}"].rows_with_differences == 0
    assert report.verdict.status == "FAIL"
    assert snapshot(*dbs) == before  # read-only: not one byte changed
    assert not [p for p in dbs[0].parent.iterdir() if p.name.endswith(".wal")]


def test_table_and_schema_filters(dbs: tuple[Path, Path]) -> None:
    names = [n for n, _, _ in pair(str(dbs[0]), str(dbs[1]), tables=["orders"])]
    assert names == ["orders"]
    names = [n for n, _, _ in pair(str(dbs[0]), str(dbs[1]), tables=["main.recent", "orders"])]
    assert names == ["orders", "recent"]
    names = [n for n, _, _ in pair(str(dbs[0]), str(dbs[1]), schemas=["s2"])]
    assert names == [f"s2.{ODD}"]


def test_cli_table_filter(dbs: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    outcome = invoke(capsys, "compare", dbs[0], dbs[1], "--key", "id", "--table", "s2." + ODD)
    assert outcome.code == 0, outcome.stderr
    outcome = invoke(capsys, "compare", dbs[0], dbs[1], "--key", "id", "--table", "orders")
    assert outcome.code == 1, outcome.stderr


def test_same_file_on_both_sides_is_identical(dbs: tuple[Path, Path]) -> None:
    report = api.compare(str(dbs[0]), str(dbs[0]), DatasetSpec(key=("id",)))
    assert report.verdict.status == "PASS"
    assert all(not d.has_differences for d in report.datasets)


def test_database_in_output_folder_is_a_folder_of_tables(tmp_path: Path) -> None:
    for side, changed in (("production", 0), ("candidate", 5)):
        (tmp_path / side).mkdir()
        make_db(tmp_path / side / "warehouse.duckdb", changed=changed)
    report = api.compare(
        str(tmp_path / "production"), str(tmp_path / "candidate"), DatasetSpec(key=("id",))
    )
    by_name = {d.name: d for d in report.datasets}
    assert set(by_name) == {"warehouse/orders", "warehouse/recent", f"warehouse/s2.{ODD}"}
    assert by_name["warehouse/orders"].rows_with_differences == 5


def test_spec_dataset_names_a_table(tmp_path: Path) -> None:
    spec = tmp_path / "dataops-diff.toml"
    spec.write_text(
        '[pipeline]\ncommand = ["true"]\n\n'
        '[datasets.sales]\npath = "warehouse.duckdb"\ntable = "main.orders"\nkey = ["id"]\n'
    )
    entry = load(str(spec)).datasets[0]
    assert (entry.name, entry.path, entry.table) == ("sales", "warehouse.duckdb", "main.orders")
    for side, changed in (("production", 0), ("candidate", 4)):
        (tmp_path / side).mkdir()
        make_db(tmp_path / side / "warehouse.duckdb", changed=changed)
    from dataops_diff.pairing import pair_outputs

    pairs = pair_outputs(
        str(tmp_path / "production"),
        str(tmp_path / "candidate"),
        [("sales", "warehouse.duckdb", None)],
        tables={"sales": "main.orders"},
    )
    names = [n for n, _, _ in pairs]
    assert names == ["sales", "warehouse/recent", f"warehouse/s2.{ODD}"]  # orders is claimed
    _, p, c = pairs[0]
    assert p is not None
    assert c is not None
    assert p.table == c.table == ("main", "orders")


def test_spec_table_without_path_is_refused(tmp_path: Path) -> None:
    spec = tmp_path / "dataops-diff.toml"
    spec.write_text(
        '[pipeline]\ncommand = ["true"]\n\n[datasets.s]\ntable = "orders"\nkey = ["id"]\n'
    )
    with pytest.raises(Exception, match=r"datasets\.s\.table.*add path"):
        load(str(spec))


def test_empty_database_holds_no_datasets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty)).close()
    full = make_db(tmp_path / "full.duckdb")
    outcome = invoke(capsys, "compare", empty, full, "--key", "id")
    assert outcome.code == 2
    assert "production database file" in outcome.stderr
    assert "holds no datasets" in outcome.stderr


# ------------------------------------------------------------------------------ --key auto
def make_lines(path: Path, *, changed: bool) -> Path:
    """Order lines keyed by (order_id, line_no); ``amount`` (a float) is unique but no key;
    ``maybe`` is unique but holds a null."""
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE lines AS SELECT range // 3 AS order_id, range % 3 AS line_no, "
        "(range * 1.5)::DOUBLE AS amount, CASE WHEN range = 0 THEN NULL ELSE range END AS maybe, "
        "'x' AS note FROM range(30)"
    )
    con.execute("CREATE TABLE ids AS SELECT 10 - range AS v, range AS id FROM range(10)")
    if changed:
        con.execute("UPDATE lines SET note = 'y' WHERE order_id = 1 AND line_no = 2")
    con.close()
    return path


def test_key_auto_finds_the_narrowest_checked_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prod = make_lines(tmp_path / "prod.duckdb", changed=False)
    cand = make_lines(tmp_path / "cand.duckdb", changed=True)
    before = snapshot(prod, cand)
    out = tmp_path / "report.json"
    outcome = invoke(capsys, "compare", prod, cand, "--key", "auto", "--json", out, "--quiet")
    assert outcome.code == 1, outcome.stderr
    found = {d["name"]: d for d in json.loads(out.read_text())["datasets"]}
    assert found["ids"]["key"] == ["v"]  # the first unique, non-null column, in column order
    assert found["lines"]["key"] == ["order_id", "line_no"]  # not amount (float), not maybe
    assert found["lines"]["rows_with_differences"] == 1
    assert snapshot(prod, cand) == before


def test_key_auto_for_one_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    prod = make_lines(tmp_path / "prod.duckdb", changed=False)
    out = tmp_path / "report.json"
    args: list[str | Path] = ["--key", "id", "--key", "lines=auto", "--json", out, "--quiet"]
    outcome = invoke(capsys, "compare", prod, prod, *args)
    assert outcome.code == 0, outcome.stderr
    found = {d["name"]: d for d in json.loads(out.read_text())["datasets"]}
    assert (found["ids"]["key"], found["lines"]["key"]) == (["id"], ["order_id", "line_no"])


def test_key_auto_without_a_key_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("prod.csv", "cand.csv"):
        (tmp_path / name).write_text("a,b\n1,x\n1,x\n2,y\n")  # a duplicated row: no key exists
    outcome = invoke(
        capsys, "compare", tmp_path / "prod.csv", tmp_path / "cand.csv", "--key", "auto"
    )
    assert_error(outcome, 2, "--key auto found no key", "'prod'", "pass --key prod=COL")


def test_leftover_wal_is_read_and_left_alone(tmp_path: Path) -> None:
    """A writer that stopped without a checkpoint leaves ``.wal`` beside the file: its rows are
    read (in memory), and neither file changes."""
    import subprocess
    import sys

    code = (
        "import duckdb, os\n"
        "c = duckdb.connect('w.duckdb')\n"
        "c.execute('PRAGMA disable_checkpoint_on_shutdown')\n"
        "c.execute(\"SET wal_autocheckpoint = '1GB'\")\n"
        "c.execute('CREATE TABLE t AS SELECT range AS id FROM range(10)')\n"
        "c.execute('INSERT INTO t SELECT range + 10 FROM range(5)')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, check=True)
    assert (tmp_path / "w.duckdb.wal").exists()
    before = snapshot(tmp_path)
    report = api.compare(
        str(tmp_path / "w.duckdb"), str(tmp_path / "w.duckdb"), DatasetSpec(key=("id",))
    )
    assert [(d.name, d.production_rows) for d in report.datasets] == [("t", 15)]
    assert snapshot(tmp_path) == before

"""The benchmark generator: deterministic per seed, shuffled, and planted.json tells the truth.

planted.json is checked against an independent count: join production and candidate on ``id`` with
pyarrow and compare every common column, so a bug in the generator's own bookkeeping cannot hide.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"
ROWS = 2_000
CHUNK_ROWS = 700  # several chunks, the last one short: exercises the chunk-wise shuffle


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


def _digest(folder: Path) -> dict[str, str]:
    names = ("production.parquet", "candidate.parquet", "planted.json")
    return {n: hashlib.sha256((folder / n).read_bytes()).hexdigest() for n in names}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bench") / "a"
    generator.generate(ROWS, 7, out, chunk_rows=CHUNK_ROWS)
    return out


@pytest.fixture(scope="module")
def planted(data: Path) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((data / "planted.json").read_text())
    return result


def test_same_seed_gives_identical_files(data: Path, tmp_path: Path) -> None:
    generator.generate(ROWS, 7, tmp_path / "b", chunk_rows=CHUNK_ROWS)
    assert _digest(data) == _digest(tmp_path / "b")


def test_another_seed_gives_other_data(data: Path, tmp_path: Path) -> None:
    generator.generate(ROWS, 8, tmp_path / "c", chunk_rows=CHUNK_ROWS)
    production = pq.read_table(data / "production.parquet")
    other = pq.read_table(tmp_path / "c" / "production.parquet")
    assert production.column("id").equals(other.column("id"))  # ids depend on the row number only
    assert not production.column("amount").equals(other.column("amount"))


def test_shape_types_and_nulls(data: Path) -> None:
    production = pq.read_table(data / "production.parquet")
    candidate = pq.read_table(data / "candidate.parquet")
    assert production.num_columns == 20
    assert production.schema.field("quantity").type == pa.int32()
    assert candidate.schema.field("quantity").type == pa.int64()
    assert production.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert pq.ParquetFile(data / "production.parquet").metadata.num_row_groups == 3
    assert pc.count_distinct(production.column("id")).as_py() == ROWS
    assert pc.count_distinct(production.column("status")).as_py() == 20
    for name in ("price", "country", "session", "is_flagged", "shipped_at", "rank"):
        share = production.column(name).null_count / ROWS
        assert 0.02 < share < 0.09, (name, share)
    for name in ("id", "amount", "status", "updated_at"):
        assert production.column(name).null_count == 0


def test_candidate_row_order_differs(data: Path) -> None:
    production_ids = pq.read_table(data / "production.parquet").column("id").to_pylist()
    candidate_ids = pq.read_table(data / "candidate.parquet").column("id").to_pylist()
    common = set(production_ids) & set(candidate_ids)
    in_production_order = [i for i in production_ids if i in common]
    in_candidate_order = [i for i in candidate_ids if i in common]
    assert in_production_order != in_candidate_order
    assert sorted(in_production_order) == sorted(in_candidate_order)
    # the first chunk of the candidate is not (a shuffle of) the first chunk of production
    assert set(candidate_ids[:CHUNK_ROWS]) != set(production_ids[:CHUNK_ROWS])


def test_planted_counts_are_true(data: Path, planted: dict[str, Any]) -> None:
    production = pq.read_table(data / "production.parquet")
    candidate = pq.read_table(data / "candidate.parquet")
    production_ids = set(production.column("id").to_pylist())
    candidate_ids = set(candidate.column("id").to_pylist())
    assert len(candidate_ids) == candidate.num_rows  # keys stay unique
    assert planted["production_rows"] == production.num_rows == ROWS
    assert planted["candidate_rows"] == candidate.num_rows
    assert planted["only_in_production"] == len(production_ids - candidate_ids) > 0
    assert planted["only_in_candidate"] == len(candidate_ids - production_ids) > 0
    assert planted["matched_rows"] == len(production_ids & candidate_ids)

    common = [n for n in production.column_names if n in candidate.column_names and n != "id"]
    joined = production.select(["id", *common]).join(
        candidate.select(["id", *common]),
        keys="id",
        join_type="inner",
        left_suffix="@production",
        right_suffix="@candidate",
    )
    assert joined.num_rows == planted["matched_rows"]
    any_changed = pa.array([False] * joined.num_rows)
    unequal: dict[str, int] = {}
    for name in common:
        p, c = joined.column(f"{name}@production"), joined.column(f"{name}@candidate")
        if p.type != c.type:
            c = c.cast(p.type)
        same = pc.or_(pc.and_(pc.is_null(p), pc.is_null(c)), pc.fill_null(pc.equal(p, c), False))
        differs = pc.invert(same)
        if count := pc.sum(differs).as_py():
            unequal[name] = count
        any_changed = pc.or_(any_changed, differs)
    assert unequal == planted["changed_columns"]
    assert all(v > 0 for v in unequal.values())
    assert pc.sum(any_changed).as_py() == planted["rows_with_differences"]


def test_planted_schema_changes_are_true(data: Path, planted: dict[str, Any]) -> None:
    production = pq.read_schema(data / "production.parquet")
    candidate = pq.read_schema(data / "candidate.parquet")
    assert planted["production_columns"] == production.names
    assert planted["columns_only_in_production"] == [
        n for n in production.names if n not in candidate.names
    ]
    assert planted["columns_only_in_candidate"] == [
        n for n in candidate.names if n not in production.names
    ]
    retyped = [
        {"column": f.name, "production_type": str(f.type), "candidate_type": str(g.type)}
        for f in production
        if f.name in candidate.names and (g := candidate.field(f.name)).type != f.type
    ]
    assert planted["type_changes"] == retyped


def test_main_writes_the_folder_atomically(tmp_path: Path) -> None:
    out = tmp_path / "d"
    assert generator.main(["--rows", "50", "--seed", "1", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "candidate.parquet",
        "planted.json",
        "production.parquet",
    ]
    assert not (tmp_path / "d.partial").exists()

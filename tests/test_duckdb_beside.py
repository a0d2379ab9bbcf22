"""The profiles beside the diff (``engines.duckdb_beside``): the same answers as one query at a
time, views re-created on the twin connection, and nothing left running after a failure."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest

from dataops_diff.datasets import open_dataset
from dataops_diff.engines import duckdb as duckdb_engine
from dataops_diff.engines import duckdb_profile, duckdb_values
from dataops_diff.engines.base import EngineConfig
from dataops_diff.engines.duckdb import DuckDBEngine
from dataops_diff.engines.duckdb_beside import Beside, idle_cores, pair, twin
from dataops_diff.errors import EngineError
from dataops_diff.model import DatasetDiff
from dataops_diff.spec import DatasetSpec


@pytest.fixture
def engine() -> Iterator[DuckDBEngine]:
    made = DuckDBEngine()
    yield made
    made.close()


def _beside_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "dataops-diff-beside"]


def _tables(columns: int, rows: int = 300) -> tuple[pa.Table, pa.Table]:
    """``columns`` columns cycling float, int, string, bool, timestamp; the candidate with a
    share of each column changed, a row removed and one added."""
    rng = np.random.default_rng(7)
    data: dict[str, pa.Array] = {"id": pa.array(np.arange(rows, dtype=np.int64))}
    for i in range(columns):
        kind = i % 5
        if kind == 0:
            data[f"c{i}"] = pa.array(rng.normal(size=rows))
        elif kind == 1:
            data[f"c{i}"] = pa.array(rng.integers(0, 50, rows))
        elif kind == 2:
            data[f"c{i}"] = pa.array([f"v{x}" for x in rng.integers(0, 12, rows)])
        elif kind == 3:
            data[f"c{i}"] = pa.array(rng.integers(0, 2, rows).astype(bool))
        else:
            ts = rng.integers(1_600_000_000, 1_700_000_000, rows) * 1_000_000
            data[f"c{i}"] = pa.array(ts, pa.timestamp("us", tz="UTC"))
    production = pa.table(data)
    candidate = production.slice(1).to_pydict()
    candidate["id"][-1] = rows + 5
    for i in range(0, columns, 5):
        candidate[f"c{i}"] = [
            v * 1.5 if j % 7 == 0 else v for j, v in enumerate(candidate[f"c{i}"])
        ]
    return production, pa.table(candidate, schema=production.schema)


def _diff(engine: DuckDBEngine, folder: Path, tables: tuple[pa.Table, pa.Table]) -> DatasetDiff:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for side, t in zip(("production", "candidate"), tables, strict=True):
        path = folder / f"{side}.parquet"
        pq.write_table(t, path)
        paths.append(open_dataset(str(path), side, name="data"))  # type: ignore[arg-type]
    return engine.diff(paths[0], paths[1], DatasetSpec(key=("id",)))


def _shifts(diff: DatasetDiff) -> dict[str, object]:
    found: dict[str, object] = {c.name: c.shift for c in diff.columns}
    return found | {f"key {name}": shift for name, shift in diff.key_shifts}


@pytest.mark.parametrize(("columns", "twins"), [(8, 1), (60, 2)], ids=["one twin", "two twins"])
def test_profiles_beside_the_diff_equal_those_after_it(
    engine: DuckDBEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, columns: int,
    twins: int,
) -> None:  # fmt: skip
    made: list[object] = []

    def counted(*args: Any) -> Any:
        made.append(twin(*args))
        return made[-1]

    monkeypatch.setattr(duckdb_engine, "twin", counted)
    tables = _tables(columns)
    beside = _diff(engine, tmp_path / "beside", tables)
    assert len(made) == twins
    assert all(m is not None for m in made)
    engine._beside_ok = False  # one query at a time, after the diff
    after = _diff(engine, tmp_path / "after", tables)
    assert _shifts(beside) == _shifts(after)
    assert all(s is not None for s in _shifts(beside).values())
    assert beside.columns == after.columns
    assert not _beside_threads()


def test_twin_recreates_a_hive_view_and_its_parts(engine: DuckDBEngine, tmp_path: Path) -> None:
    for part in ("1", "2"):
        (tmp_path / f"k={part}").mkdir()
        pq.write_table(pa.table({"id": [int(part)], "v": ["x"]}), tmp_path / f"k={part}/p.parquet")
    ref = open_dataset(str(tmp_path), "production", name="data")
    engine._register(ref, "production", "production")
    second = twin(engine._con, ["production"])
    assert second is not None
    assert second.execute("SELECT id, k FROM production ORDER BY id").fetchall() == [(1, 1), (2, 2)]
    second.close()


def test_no_twin_for_an_arrow_dataset_of_this_process(engine: DuckDBEngine, tmp_path: Path) -> None:
    feather.write_feather(pa.table({"id": [1, 2]}), tmp_path / "p.arrow")
    ref = open_dataset(str(tmp_path / "p.arrow"), "production", name="data")
    engine._register(ref, "production", "production")
    assert twin(engine._con, ["production"]) is None
    assert twin(engine._con, ["no_such_view"]) is None


def test_cancel_stops_a_running_query_and_the_next(engine: DuckDBEngine) -> None:
    second = engine._con.cursor()
    ran: list[int] = []

    def work() -> None:
        for _ in range(3):  # an interrupt stops one query; cancel keeps on until the thread ends
            ran.append(1)
            with contextlib.suppress(duckdb.InterruptException):
                second.execute("SELECT sum(range) FROM range(100000000000)").fetchall()

    beside = Beside([second], work)
    time.sleep(0.3)
    started = time.monotonic()
    beside.cancel()
    assert time.monotonic() - started < 10
    assert len(ran) == 3
    assert not _beside_threads()
    second.close()


def test_pair_raises_the_second_error_and_cancels_the_second_on_the_first(
    engine: DuckDBEngine,
) -> None:
    second = engine._con.cursor()

    def boom() -> int:
        raise ValueError("second failed")

    with pytest.raises(ValueError, match="second failed"):
        pair(lambda: 1, boom, second)

    def long() -> int:
        try:
            second.execute("SELECT sum(range) FROM range(100000000000)").fetchall()
        except duckdb.InterruptException:
            return -1
        return 0

    def fail() -> int:
        time.sleep(0.2)
        raise KeyError("first failed")

    with pytest.raises(KeyError, match="first failed"):
        pair(fail, long, second)
    assert not _beside_threads()
    assert pair(lambda: 1, lambda: 2, None) == (1, 2)
    second.close()


def test_a_failed_diff_stops_the_profiles_beside_it(
    engine: DuckDBEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(*_: object, **__: object) -> None:
        raise RuntimeError("the diff failed")

    monkeypatch.setattr(duckdb_values, "values", fails)
    with pytest.raises(RuntimeError, match="the diff failed"):
        _diff(engine, tmp_path, _tables(60))
    assert not _beside_threads()


def test_an_error_beside_is_mapped_as_in_the_diff(
    engine: DuckDBEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_memory(*_: object, **__: object) -> None:
        raise duckdb.OutOfMemoryException("could not allocate block of size 27.3 MiB")

    monkeypatch.setattr(duckdb_profile, "plan_shifts", no_memory)
    with pytest.raises(EngineError, match="out of memory comparing dataset 'data'"):
        _diff(engine, tmp_path, _tables(8))
    assert not _beside_threads()


@pytest.mark.parametrize(
    "config", [EngineConfig(threads=1), EngineConfig(memory_limit="1GB")], ids=["1 thread", "1GB"]
)
def test_one_query_at_a_time_with_one_thread_or_a_small_pool(config: EngineConfig) -> None:
    made = DuckDBEngine(config)
    try:
        assert made._beside_ok is False
    finally:
        made.close()


def test_beside_only_when_row_groups_leave_a_core_idle(
    engine: DuckDBEngine, tmp_path: Path
) -> None:
    table = pa.table({"id": list(range(300))})
    refs = {}
    for name, groups in (("few", 300), ("many", 10)):
        pq.write_table(table, tmp_path / f"{name}.parquet", row_group_size=groups)
        refs[name] = open_dataset(str(tmp_path / f"{name}.parquet"), "production", name="data")
    (tmp_path / "data.csv").write_text("id\n1\n")
    csv = open_dataset(str(tmp_path / "data.csv"), "production", name="data")
    threads = int(engine._con.execute("SELECT current_setting('threads')").fetchall()[0][0])
    assert idle_cores(engine._con, {"production": refs["few"]}) is True
    assert idle_cores(engine._con, {"production": refs["few"], "candidate": csv}) is False
    many = idle_cores(engine._con, {"production": refs["few"], "candidate": refs["many"]})
    assert many is (2 * threads > 30)


def test_no_twin_for_many_row_groups(
    engine: DuckDBEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[object] = []
    monkeypatch.setattr(duckdb_engine, "twin", lambda *a: made.append(a))
    monkeypatch.setattr(duckdb_engine, "idle_cores", lambda *a: False)
    diff = _diff(engine, tmp_path, _tables(8))
    assert made == []
    assert all(c.shift is not None for c in diff.columns)


def test_twin_for_files_in_folders_named_after_the_other_view(
    engine: DuckDBEngine, tmp_path: Path
) -> None:
    """A shadow run writes <run>/production/output and <run>/candidate/output: a view's file
    path naming the other view is not a use of it."""
    refs = {}
    for side in ("production", "candidate"):
        folder = tmp_path / f"{'candidate' if side == 'production' else 'production'} [1]"
        folder.mkdir()
        pq.write_table(pa.table({"id": [1, 2]}), folder / f"{side}'s.parquet")
        refs[side] = open_dataset(str(folder / f"{side}'s.parquet"), side, name="data")
        engine._register(refs[side], side, side)
    second = twin(engine._con, ["production", "candidate"])
    assert second is not None
    assert second.execute("SELECT count(*) FROM candidate").fetchall() == [(2,)]
    second.close()

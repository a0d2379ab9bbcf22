"""Hostile database files: corrupt, truncated, of another version, locked, SQLite, bad filters.

Each case: exit code 2, one stderr line naming the file (or flag) and the fix, inputs unchanged.
"""

from __future__ import annotations

import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from hostile import assert_error, invoke, snapshot
from test_database_files import make_db

_HEADER = 4096  # DuckDB's main header block; its checksum covers bytes 8..4096


def _checksum(block: bytes) -> int:
    """DuckDB's block checksum (xor of each 64-bit word times a constant), to forge a header."""
    result = 5381
    for (word,) in struct.iter_unpack("<Q", block):
        result ^= (word * 0xBF58476D1CE4E5B9) & (2**64 - 1)
    return result


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return make_db(tmp_path / "good.duckdb")


def _compare(capsys: pytest.CaptureFixture[str], bad: Path, good: Path, *frags: str) -> None:
    before = snapshot(bad, good)
    for args in ((bad, good), (good, bad)):
        outcome = invoke(capsys, "compare", *args, "--key", "id")
        side = "production" if args[0] == bad else "candidate"
        assert_error(outcome, 2, side, str(bad), *frags)
    assert snapshot(bad, good) == before


def test_corrupt_block(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray(good.read_bytes())
    data[_HEADER:] = b"\x07" * (len(data) - _HEADER)
    bad = tmp_path / "corrupt.duckdb"
    bad.write_bytes(bytes(data))
    _compare(capsys, bad, good, "cannot open", "check that the file is whole")


def test_truncated(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "truncated.duckdb"
    bad.write_bytes(good.read_bytes()[:100])
    _compare(capsys, bad, good, "cannot open", "check that the file is whole")


def test_other_storage_version(
    tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(good.read_bytes())
    data[12:20] = struct.pack("<Q", 51)  # DuckDB 0.8's storage version, checksum made to match
    data[0:8] = struct.pack("<Q", _checksum(bytes(data[8:_HEADER])))
    bad = tmp_path / "old.duckdb"
    bad.write_bytes(bytes(data))
    _compare(capsys, bad, good, "another DuckDB version", "storage version number 51")


def test_not_a_database(tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "notes.db"
    bad.write_text("id,amount\n1,2\n")
    _compare(capsys, bad, good, "is not a DuckDB database file")


def test_sqlite_is_refused_with_reason(
    tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    bad = tmp_path / "shop.sqlite"
    con = sqlite3.connect(bad)
    con.execute("CREATE TABLE orders (id INTEGER)")
    con.commit()
    con.close()
    _compare(capsys, bad, good, "SQLite database", "export its tables")


@pytest.fixture
def writer(good: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``good`` open for writing (DuckDB's exclusive lock)."""
    code = "import duckdb, time; c = duckdb.connect(%r); print('ready', flush=True); time.sleep(60)"
    proc = subprocess.Popen(
        [sys.executable, "-c", code % str(good)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    yield proc
    proc.kill()
    proc.wait()


def test_locked_by_a_writer(
    tmp_path: Path,
    good: Path,
    writer: subprocess.Popen[str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = make_db(tmp_path / "other.duckdb")
    before = snapshot(other)
    outcome = invoke(capsys, "compare", good, other, "--key", "id")
    assert_error(outcome, 2, "production", str(good), "locked", f"process {writer.pid}")
    assert snapshot(other) == before


@pytest.mark.parametrize(
    ("flag", "value"), [("--table", "nope"), ("--schema", "nope"), ("--table", "s2.orders")]
)
def test_filter_matching_nothing(
    good: Path, flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(good)
    outcome = invoke(capsys, "compare", good, good, "--key", "id", flag, value)
    assert_error(outcome, 2, flag, f"'{value}'", "matches no table", "orders")
    assert snapshot(good) == before


def test_database_against_plain_file(
    tmp_path: Path, good: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "orders.csv"
    plain.write_text("id\n1\n")
    outcome = invoke(capsys, "compare", plain, good, "--key", "id")
    assert_error(outcome, 2, "single dataset", "folder of datasets")
    con = duckdb.connect(str(good), read_only=True)
    assert con.execute("SELECT count(*) FROM orders").fetchone() == (100,)
    con.close()

"""The public Python API: what ``__all__`` promises is importable, and nothing heavy on import."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dataops_diff
from dataops_diff.errors import UsageError


def test_all_lists_exactly_the_exports() -> None:
    assert sorted(dataops_diff.__all__) == sorted(["__version__", *dataops_diff._EXPORTS])
    for name in dataops_diff.__all__:
        assert getattr(dataops_diff, name) is not None


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = dataops_diff.nope


def test_import_loads_no_engine_or_terminal_library() -> None:
    code = (
        "import sys, dataops_diff; "
        "print([m for m in ('duckdb', 'pyarrow', 'rich', 'typer', 'jinja2') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_compare_then_report_through_the_api(tmp_path: Path) -> None:
    pq.write_table(pa.table({"id": [1, 2, 3], "v": [1.0, 2.0, 3.0]}), tmp_path / "p.parquet")
    pq.write_table(pa.table({"id": [1, 2, 3], "v": [1.0, 2.5, 3.0]}), tmp_path / "c.parquet")
    result = dataops_diff.compare(
        str(tmp_path / "p.parquet"), str(tmp_path / "c.parquet"), dataops_diff.DatasetSpec(("id",))
    )
    assert result.verdict.status == "FAIL"
    (diff,) = result.datasets
    assert (diff.matched_rows, diff.rows_with_differences) == (3, 1)
    saved = tmp_path / "report.json"
    saved.write_text(json.dumps(dataops_diff.model.to_dict(result)), encoding="utf-8")
    assert dataops_diff.report(str(saved)) == result
    lenient = dataops_diff.Policy(expect_changes=("p.v",))
    assert dataops_diff.report(str(saved), lenient).verdict.status == "PASS"


def test_report_of_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not found; pass a file written by --json"):
        dataops_diff.report(str(tmp_path / "missing.json"))

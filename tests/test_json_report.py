"""The JSON report: documented schema equals the model, real reports validate, round trip."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq

from dataops_diff import api
from dataops_diff.model import SCHEMA_VERSION, Report, to_dict
from dataops_diff.reports import json as json_report
from dataops_diff.reports.json_schema import schema
from dataops_diff.spec import DatasetSpec

SCHEMA_FILE = Path(__file__).parents[1] / "dataops_diff" / "schema" / "report.schema.json"


def _report(tmp_path: Path) -> Report:
    production = pa.table(
        {"id": [1, 2, 3, 4], "amount": [1.0, 2.0, float("nan"), 4.0], "note": ["a", None, "c", "d"]}
    )
    candidate = pa.table(
        {"id": [1, 2, 3, 5], "amount": [1.5, 2.0, float("nan"), 5.0], "note": ["a", "b", "c", "e"]}
    )
    pq.write_table(production, tmp_path / "production.parquet")
    pq.write_table(candidate, tmp_path / "candidate.parquet")
    return api.compare(
        str(tmp_path / "production.parquet"),
        str(tmp_path / "candidate.parquet"),
        DatasetSpec(key=("id",)),
    )


def test_committed_schema_matches_the_model() -> None:
    committed = json.loads(SCHEMA_FILE.read_text())
    assert committed == schema(), (
        "the model changed: regenerate with "
        "`python -m dataops_diff.reports.json_schema > dataops_diff/schema/report.schema.json`"
    )


def test_report_validates_and_round_trips(tmp_path: Path) -> None:
    report = _report(tmp_path)
    text = json_report.render(report)
    data = json.loads(text)
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text()))
    assert data["schema_version"] == SCHEMA_VERSION == 3
    assert Report.from_dict(to_dict(report)) == report
    assert json_report.load(text) == report
    (diff,) = report.datasets
    assert (diff.only_in_production, diff.only_in_candidate, diff.matched_rows) == (1, 1, 3)
    amount = next(c for c in diff.columns if c.name == "amount")
    assert amount.unequal == 1  # NaN == NaN, so only id 1 differs
    assert amount.samples[0].key == {"id": 1}
    note = next(c for c in diff.columns if c.name == "note")
    assert (note.unequal, note.null_to_value) == (1, 1)


def test_load_rejects_other_versions_and_garbage(tmp_path: Path) -> None:
    import pytest

    from dataops_diff.errors import InputError

    data = to_dict(_report(tmp_path))
    data["schema_version"] = 999
    with pytest.raises(InputError, match="schema_version 999"):
        json_report.load(json.dumps(data), "old.json")
    with pytest.raises(InputError, match="is not JSON"):
        json_report.load("{nope", "bad.json")

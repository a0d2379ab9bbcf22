"""The bundled example end to end: every planted difference of fixtures/demo/README.md, counted.

The demo is not deterministic on purpose (a run timestamp, a float sum in a varying order), like
real jobs: those columns are checked by what they are (noise), their counts by their bounds.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"

# The constants of fixtures/demo/README.md.
SCORES = {"production_rows": 195, "candidate_rows": 197, "matched_rows": 195,
          "only_in_candidate": 2, "only_in_production": 0}  # fmt: skip
SCORES_CHANGED = {"risk_score": 37, "flagged": 8, "scored_at": 195}  # and model_score: NOISY
NOISY = "model_score"  # its last bits differ in some rows of any two runs; how many varies
NOISE = {("scores", "scored_at"), ("scores", NOISY)}  # within the floor learnt from the baseline
ACCOUNTS = {"production_rows": 30, "candidate_rows": 30, "rows_with_differences": 14}
ACCOUNTS_CHANGED = {"flagged": 8, "max_risk": 6, "transactions": 2, "total_eur": 2}
REJECTED = {"production_rows": 5, "candidate_rows": 3, "only_in_production": 2,
            "only_in_candidate": 0, "rows_with_differences": 3}  # fmt: skip
REJECTED_CHANGED = {"error": 3}  # "ValueError" -> "ParseError": the one unexpected change
EXPECTED = {("scores", "risk_score"), ("scores", "flagged"), ("accounts", "flagged"),
            ("accounts", "max_risk"), ("accounts", "night_transactions"),
            ("accounts", "transactions"), ("accounts", "total_eur"), ("alerts", None)}  # fmt: skip
UNEXPECTED = {("rejected", "error")}
COUNTERS = {
    "production": {"rows_read": 200, "rows_scored": 195, "parse_failures": 5, "flagged": 66},
    "candidate": {"rows_read": 200, "rows_scored": 197, "parse_failures": 3, "flagged": 75,
                  "night_transactions": 40},
}  # fmt: skip


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    spec = importlib.util.spec_from_file_location("run_demo", DEMO / "run_demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    dest = tmp_path_factory.mktemp("demo")
    assert module.main(["--dest", str(dest), "--quiet"]) == 0  # dataops-diff exited 1, as planted
    data: dict[str, Any] = json.loads((dest / "report.json").read_text())
    return data


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d["name"]: d for d in report["datasets"]}


def changed(dataset: dict[str, Any], noisy: str | None = None) -> dict[str, int]:
    """Changed rows per column; ``noisy``: a column left out (its count varies), checked apart."""
    counts = {c["name"]: c["unequal"] for c in dataset["columns"] if c["unequal"]}
    if noisy is not None:
        assert 0 <= counts.pop(noisy, 0) <= dataset["matched_rows"]
    return counts


def classified(report: dict[str, Any], classification: str) -> set[tuple[str, str | None]]:
    """(dataset, column) of every value, column or dataset finding of that classification."""
    kinds = {"values", "column_added", "dataset_added", "expected_change"}
    return {(f["dataset"], f["column"]) for f in report["verdict"]["findings"]
            if f["classification"] == classification and f["kind"] in kinds}  # fmt: skip


def test_scores(report: dict[str, Any]) -> None:
    scores = by_name(report)["scores"]
    assert {k: scores[k] for k in SCORES} == SCORES
    assert scores["rows_with_differences"] == 195  # scored_at: every row, every run
    assert changed(scores, NOISY) == SCORES_CHANGED
    assert scores["schema"]["renamed"] == [{"production": "rule", "candidate": "reason"}]
    assert scores["schema"]["only_in_production"] == []
    assert scores["schema"]["only_in_candidate"] == []
    flagged = next(c for c in scores["columns"] if c["name"] == "flagged")
    assert all(s["production"] is False and s["candidate"] is True for s in flagged["samples"])


def test_accounts(report: dict[str, Any]) -> None:
    accounts = by_name(report)["accounts"]
    assert {k: accounts[k] for k in ACCOUNTS} == ACCOUNTS
    assert changed(accounts) == ACCOUNTS_CHANGED
    assert [c["name"] for c in accounts["schema"]["only_in_candidate"]] == ["night_transactions"]


def test_identical_and_one_sided_datasets(report: dict[str, Any]) -> None:
    datasets = by_name(report)
    assert set(datasets) == {"scores", "accounts", "merchants", "rejected", "alerts"}
    assert datasets["merchants"]["identical"] is True
    assert datasets["merchants"]["production_rows"] == 12
    rejected = datasets["rejected"]
    assert {k: rejected[k] for k in REJECTED} == REJECTED
    assert changed(rejected) == REJECTED_CHANGED
    error = next(c for c in rejected["columns"] if c["name"] == "error")
    assert {(s["production"], s["candidate"]) for s in error["samples"]} == {
        ("ValueError", "ParseError")
    }
    assert sorted(r["values"]["line"] for r in rejected["only_in_production_samples"]) == [42, 138]
    assert datasets["alerts"]["status"] == "only_in_candidate"


def test_runs_counters_and_inputs(report: dict[str, Any]) -> None:
    run = report["run"]
    for side in ("production", "candidate"):
        assert run[side]["status"] == "succeeded"
        assert run[side]["git_ref"] == side
        assert len(run[side]["git_sha"]) == 40
        assert run[side]["counters"] == COUNTERS[side]
    assert run["production"]["git_sha"] != run["candidate"]["git_sha"]
    baseline = run["baseline"]  # the spec asks for a baseline: production again, on its own
    assert (baseline["side"], baseline["status"]) == ("baseline", "succeeded")
    assert (baseline["git_ref"], baseline["git_sha"]) == (
        "production",
        run["production"]["git_sha"],
    )
    assert baseline["counters"] == COUNTERS["production"]
    assert baseline["output_dir"] != run["production"]["output_dir"]
    assert len(run["inputs"]) == 2
    assert all(i["changed_by"] == [] for i in run["inputs"])
    assert report["verdict"]["status"] == "FAIL"
    assert report["command"] == "run"


def test_expected_changes_are_declared_and_one_unexpected_change_is_planted(
    report: dict[str, Any],
) -> None:
    assert classified(report, "expected") == EXPECTED
    assert classified(report, "noise") == NOISE  # learnt from the baseline run
    assert classified(report, "unexpected") == UNEXPECTED
    failing = {(r["dataset"], r["column"]) for r in report["verdict"]["reasons"]
               if r["severity"] == "fail"}  # fmt: skip
    assert failing == UNEXPECTED  # the one planted unexpected change, and nothing else
    assert report["verdict"]["status"] == "FAIL"
    tolerated = {(f["dataset"], f["kind"]) for f in report["verdict"]["findings"]
                 if f["classification"] == "tolerated"}  # fmt: skip
    assert {
        ("scores", "rows_only_in_candidate"),
        ("rejected", "rows_only_in_production"),
    } <= tolerated


def test_the_noise_floor_learnt_from_the_baseline(report: dict[str, Any]) -> None:
    assert report["baseline"] is not None
    floors = {f["name"]: f for f in report["floor"]}
    assert set(floors) == {"scores", "accounts", "merchants", "rejected"}  # production's datasets
    for name in ("accounts", "merchants", "rejected"):  # deterministic: an empty floor
        assert floors[name]["rows_with_differences"] == 0
        assert not any(c["unequal"] for c in floors[name]["columns"])
    scores = {c["name"]: c for c in floors["scores"]["columns"] if c["unequal"]}
    assert set(scores) == {"scored_at", "model_score"}
    assert scores["scored_at"]["unequal"] == 195
    assert scores["scored_at"]["volatile"] is True
    assert 0 < scores["model_score"]["unequal"] < 195
    assert scores["model_score"]["volatile"] is False
    assert 0 < scores["model_score"]["max_abs_diff"] < 1e-15  # the last bits of a float sum

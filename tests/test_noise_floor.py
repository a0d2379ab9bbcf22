"""The noise floor (issue 15): learning it, gating above it, ``compare --baseline`` and
``--suggest-policy``, on unit diffs and on the nondeterministic pipeline of tests/noise_fixture.py.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import noise_fixture as nf
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostile import invoke
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataops_diff import api
from dataops_diff.cli.policy_options import read_policy_file
from dataops_diff.floor import is_empty, is_volatile, learn
from dataops_diff.model import ColumnDiff, ColumnFloor, DatasetDiff, DatasetFloor, Report
from dataops_diff.pairing import pair
from dataops_diff.policy import Limit, Policy, evaluate, policy_from_dict
from dataops_diff.policy.suggest import suggest
from dataops_diff.reports import json as json_report
from dataops_diff.spec import DatasetSpec


def col(name: str = "amount", unequal: int = 0, compared: int = 1000, **kw: Any) -> ColumnDiff:
    return ColumnDiff(name, name, "double", "double", compared, unequal,
                      kw.pop("null_to_value", 0), kw.pop("value_to_null", 0), **kw)  # fmt: skip


def ds(*columns: ColumnDiff, name: str = "orders", **kw: Any) -> DatasetDiff:
    base: dict[str, Any] = {"production_rows": 1000, "candidate_rows": 1000, "matched_rows": 1000,
                            "rows_with_differences": max(c.unequal for c in columns),
                            "columns": columns, "key": ("id",)}  # fmt: skip
    base.update(kw)
    return DatasetDiff(name, "compared", f"p/{name}", f"c/{name}", **base)


def floor(*columns: ColumnFloor, name: str = "orders", **kw: Any) -> DatasetFloor:
    return DatasetFloor(name, 1000, max((c.unequal for c in columns), default=0), columns=columns,
                        **kw)  # fmt: skip


def classes(diff: DatasetDiff, floors: tuple[DatasetFloor, ...] | None, **policy: Any) -> Any:
    verdict = evaluate((diff,), None, policy_from_dict(policy, "t"), floors)
    return verdict.status, [(f.kind, f.classification) for f in verdict.findings], verdict


# ------------------------------------------------------------------------------------- learn
def test_learn_keeps_what_production_and_its_baseline_differ_in() -> None:
    diff = ds(col("amount", 40, max_abs_diff=1e-12, max_rel_diff=1e-15, value_to_null=2),
              col("scored_at", 1000), col("segment", 0, max_abs_diff=0.0),
              only_in_production=1, only_in_candidate=2)  # fmt: skip
    learnt = learn(diff)
    assert (learnt.name, learnt.matched_rows, learnt.rows_with_differences) == (
        "orders",
        1000,
        1000,
    )
    assert (learnt.only_in_production, learnt.only_in_baseline) == (1, 2)
    amount, scored_at, segment = learnt.columns
    assert (amount.unequal, amount.value_to_null, amount.max_abs_diff) == (40, 2, 1e-12)
    assert not amount.volatile
    assert scored_at.volatile
    assert not segment.volatile
    assert segment.max_abs_diff is None  # no difference: no envelope to learn
    assert not is_empty(learnt)


@pytest.mark.parametrize(("unequal", "compared", "volatile"), [
    (99, 100, True), (98, 100, False), (5, 5, True), (4, 4, False), (0, 0, False),
    (990, 1000, True), (989, 1000, False),
])  # fmt: skip
def test_the_volatile_rule(unequal: int, compared: int, volatile: bool) -> None:
    """At least 99% of the compared rows, over at least 5 rows, compared exactly."""
    assert is_volatile(unequal, compared) is volatile


def test_a_dataset_only_one_of_them_wrote_has_an_empty_floor() -> None:
    diff = DatasetDiff("orders", "only_in_production", "p", None, production_rows=5,
                       only_in_production=5)  # fmt: skip
    assert learn(diff) == DatasetFloor("orders")
    assert is_empty(learn(diff))


# ------------------------------------------------------------------------------------- gating
FLOAT_FLOOR = floor(ColumnFloor("amount", 1000, 50, max_abs_diff=1e-12, max_rel_diff=1e-15))


@pytest.mark.parametrize(("column", "status", "classification"), [
    (col("amount", 50, max_abs_diff=1e-12, max_rel_diff=1e-15), "PASS", "noise"),
    (col("amount", 100, max_abs_diff=2e-12, max_rel_diff=2e-15), "PASS", "noise"),  # factor 2
    (col("amount", 101, max_abs_diff=1e-12, max_rel_diff=1e-15), "FAIL", "unexpected"),  # share
    (col("amount", 10, max_abs_diff=0.5, max_rel_diff=1e-15), "FAIL", "unexpected"),  # abs
    (col("amount", 10, max_abs_diff=1e-12, max_rel_diff=0.01), "FAIL", "unexpected"),  # rel
    (col("amount", 10, max_abs_diff=1e-12, max_rel_diff=1e-15, value_to_null=1), "FAIL",
     "unexpected"),  # the floor had no value->null
])  # fmt: skip
def test_a_column_within_its_envelope_is_noise(
    column: ColumnDiff, status: str, classification: str
) -> None:
    got_status, findings, _ = classes(ds(column), (FLOAT_FLOOR,))
    assert (got_status, findings) == (status, [("values", classification)])


def test_without_a_baseline_the_same_difference_fails() -> None:
    status, findings, _ = classes(ds(col("amount", 50, max_abs_diff=1e-12)), None)
    assert (status, findings) == ("FAIL", [("values", "unexpected")])


def test_a_share_floor_of_zero_allows_no_changed_rows() -> None:
    zero = floor(ColumnFloor("amount", 1000, 0))
    assert classes(ds(col("amount", 1, max_abs_diff=1e-12)), (zero,))[0] == "FAIL"


def test_noise_factor_scales_the_envelope() -> None:
    column = col("amount", 150, max_abs_diff=1e-12, max_rel_diff=1e-15)
    assert classes(ds(column), (FLOAT_FLOOR,))[0] == "FAIL"
    assert classes(ds(column), (FLOAT_FLOOR,), noise_factor=3)[0] == "PASS"
    assert classes(ds(column), (FLOAT_FLOOR,), noise_factor="300%")[0] == "PASS"


@pytest.mark.parametrize(("mode", "status", "severity"), [("warn", "WARN", "warn"),
                                                          ("fail", "FAIL", "fail")])  # fmt: skip
def test_the_noise_setting_makes_noise_warn_or_fail(mode: str, status: str, severity: str) -> None:
    got, findings, verdict = classes(ds(col("amount", 50, max_abs_diff=1e-12)), (FLOAT_FLOOR,),
                                     noise=mode)  # fmt: skip
    assert (got, findings) == (status, [("values", "noise")])
    assert [(r.rule, r.severity, r.column) for r in verdict.reasons] == [
        ("noise", severity, "amount")
    ]


def test_a_volatile_column_is_reported_as_volatile_not_as_a_regression() -> None:
    volatile = floor(ColumnFloor("scored_at", 1000, 1000, volatile=True))
    status, findings, verdict = classes(ds(col("scored_at", 1000)), (volatile,))
    assert (status, findings) == ("PASS", [("values", "noise")])
    assert "volatile" in verdict.findings[0].message


def test_a_volatile_column_that_went_missing_is_a_regression() -> None:
    volatile = floor(ColumnFloor("scored_at", 1000, 1000, volatile=True))
    status, findings, _ = classes(ds(col("scored_at", 1000, value_to_null=1000)), (volatile,))
    assert (status, findings) == ("FAIL", [("values", "unexpected")])


def test_a_real_change_in_a_volatile_float_column_is_not_hidden_as_noise() -> None:
    """Float noise in every row makes a column volatile; a change far beyond it still fails."""
    noisy = floor(ColumnFloor("amount", 1000, 1000, max_abs_diff=1e-9, max_rel_diff=1e-12,
                              volatile=True))  # fmt: skip
    within = col("amount", 1000, max_abs_diff=1.5e-9, max_rel_diff=1e-12)
    assert classes(ds(within), (noisy,))[:2] == ("PASS", [("values", "noise")])
    real = col("amount", 1000, max_abs_diff=0.5, max_rel_diff=0.01)
    assert classes(ds(real), (noisy,))[:2] == ("FAIL", [("values", "unexpected")])


def test_rows_only_on_one_side_are_noise_up_to_the_baselines_count() -> None:
    ties = floor(ColumnFloor("amount", 1000, 0), only_in_production=1, only_in_baseline=1)
    within = ds(col("amount", 0), only_in_production=2, only_in_candidate=1)
    status, findings, _ = classes(within, (ties,))
    assert (status, findings) == ("PASS", [("rows_only_in_production", "noise"),
                                           ("rows_only_in_candidate", "noise")])  # fmt: skip
    beyond = ds(col("amount", 0), only_in_production=3, only_in_candidate=0)
    assert classes(beyond, (ties,))[1] == [("rows_only_in_production", "unexpected")]


def test_an_expected_column_stays_expected() -> None:
    status, findings, _ = classes(ds(col("amount", 50, max_abs_diff=1e-12)), (FLOAT_FLOOR,),
                                  expect_changes=["orders.amount"])  # fmt: skip
    assert (status, findings) == ("PASS", [("expected_change", "expected"), ("values", "expected")])


def test_a_dataset_the_baseline_lacks_is_judged_without_a_floor_and_warned() -> None:
    status, findings, verdict = classes(ds(col("amount", 50, max_abs_diff=1e-12)), ())
    assert (status, findings) == ("FAIL", [("values", "unexpected")])
    assert [(r.rule, r.severity) for r in verdict.reasons] == [("changed_rows", "fail"),
                                                               ("noise", "warn")]  # fmt: skip
    assert "no noise floor" in verdict.reasons[1].message


@pytest.mark.parametrize(("column", "policy", "classification"), [
    (col("amount", 900, max_abs_diff=1e-12, max_rel_diff=1e-15), {"max_abs_diff": 1e-12},
     "tolerated"),
    (col("amount", 900, max_abs_diff=2e-12, max_rel_diff=1e-15), {"max_abs_diff": 1e-12},
     "unexpected"),
    (col("amount", 900, max_abs_diff=1e-12, max_rel_diff=1e-15),
     {"max_abs_diff": 1e-12, "max_rel_diff": 1e-16}, "unexpected"),  # every bound set must hold
    (col("amount", 9, max_abs_diff=0.0, value_to_null=9), {"max_abs_diff": 1.0}, "unexpected"),
    (col("amount", 9, max_abs_diff=None), {"max_rel_diff": "1%"}, "unexpected"),  # not a number
    (col("amount", 9, max_abs_diff=0.01, max_rel_diff=0.01),
     {"columns": {"orders.amount": {"max_rel_diff": "1%"}}}, "tolerated"),  # exactly at it
])  # fmt: skip
def test_magnitude_bounds_tolerate_small_changes_however_many(
    column: ColumnDiff, policy: dict[str, Any], classification: str
) -> None:
    """max_abs_diff / max_rel_diff, what a suggested policy uses for numeric noise."""
    assert classes(ds(column), None, **policy)[1] == [("values", classification)]


# ------------------------------------------------------------------------- property: empty floor
ROW = st.tuples(st.one_of(st.none(), st.integers(-5, 5)),
                st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
                st.one_of(st.none(), st.text(max_size=4)))  # fmt: skip


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])  # fmt: skip
@given(rows=st.lists(ROW, max_size=12))
def test_identical_production_and_baseline_give_an_empty_floor(rows: list[Any]) -> None:
    """A deterministic pipeline: production written twice, byte-different but equal, has no
    unequal column, no volatile column and no row on one side only."""
    table = pa.table({
        "id": pa.array(range(len(rows)), pa.int64()),
        "i": pa.array([r[0] for r in rows], pa.int64()),
        "f": pa.array([r[1] for r in rows], pa.float64()),
        "s": pa.array([r[2] for r in rows], pa.string()),
    })  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        production, baseline = os.path.join(tmp, "p.parquet"), os.path.join(tmp, "b.parquet")
        pq.write_table(table, production)
        pq.write_table(table, baseline, compression="zstd", row_group_size=3)  # other bytes
        (learnt,) = api.learn_floor(pair(production, baseline), lambda _: DatasetSpec(key=("id",)))
    assert is_empty(learnt), learnt
    assert learnt.matched_rows == len(rows)
    assert all(c.unequal == 0 and not c.volatile for c in learnt.columns)


# ------------------------------------------------------------- the nondeterministic pipeline
@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("noise")
    return {"production": nf.write_run(root / "production", 1),
            "baseline": nf.write_run(root / "baseline", 2),
            "candidate": nf.write_run(root / "candidate", 3),
            "changed": nf.write_run(root / "changed", 3, changed=True)}  # fmt: skip


def _compare(capsys: pytest.CaptureFixture[str], tmp_path: Path, *args: Any) -> tuple[int, Report]:
    out = tmp_path / f"report{len(list(tmp_path.iterdir()))}.json"
    outcome = invoke(capsys, "compare", *args, "--key", "id", "--json", out, "--quiet")
    assert outcome.stderr == ""
    return outcome.code, json_report.load(out.read_text(encoding="utf-8"))


def _findings(report: Report) -> list[tuple[str, str | None, str]]:
    return sorted((f.dataset or "", f.column, f.classification)
                  for f in report.verdict.findings)  # fmt: skip


def test_the_strict_policy_fails_the_pipeline_against_itself_without_a_baseline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: dict[str, Path]
) -> None:
    code, report = _compare(capsys, tmp_path, runs["production"], runs["candidate"])
    assert (code, report.verdict.status) == (1, "FAIL")
    assert report.baseline is None
    assert report.floor == ()
    assert {f.classification for f in report.verdict.findings} == {"unexpected"}


def test_with_a_baseline_the_noise_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: dict[str, Path]
) -> None:
    code, report = _compare(capsys, tmp_path, runs["production"], runs["candidate"],
                            "--baseline", runs["baseline"])  # fmt: skip
    assert (code, report.verdict.status, report.verdict.reasons) == (0, "PASS", ())
    assert report.baseline == str(runs["baseline"])
    assert _findings(report) == [("scores", "amount", "noise"), ("scores", "request_id", "noise"),
                                 ("scores", "scored_at", "noise"), ("top", None, "noise"),
                                 ("top", None, "noise")]  # fmt: skip
    scores, top = report.floor
    assert sorted(c.name for c in scores.columns if c.volatile) == sorted(nf.VOLATILE)
    assert (top.only_in_production, top.only_in_baseline) == (1, 1)


def test_a_real_change_on_top_of_the_noise_still_fails_and_is_told_apart(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: dict[str, Path]
) -> None:
    code, report = _compare(capsys, tmp_path, runs["production"], runs["changed"],
                            "--baseline", runs["baseline"])  # fmt: skip
    assert (code, report.verdict.status) == (1, "FAIL")
    assert _findings(report) == [("scores", "amount", "unexpected"),
                                 ("scores", "request_id", "noise"),
                                 ("scores", "scored_at", "noise"),
                                 ("scores", "segment", "unexpected"),
                                 ("top", None, "noise"), ("top", None, "noise")]  # fmt: skip
    failed = {(r.column, r.measured) for r in report.verdict.reasons}
    segment = nf.CHANGED_SEGMENT
    assert ("segment", segment) in failed
    assert {c for c, _ in failed} == {"amount", "segment"}


def test_suggest_policy_learns_once_and_then_gates_without_a_baseline(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: dict[str, Path]
) -> None:
    """The suggested file, read by the project's own parser, tolerates the pipeline's noise with
    no baseline, and still fails the real change, numeric column included."""
    suggested = tmp_path / "suggested.toml"
    code, learnt = _compare(capsys, tmp_path, runs["production"], runs["candidate"], "--baseline",
                            runs["baseline"], "--suggest-policy", suggested)  # fmt: skip
    assert code == 0
    policy = read_policy_file(suggested)
    columns = policy.datasets["scores"].columns
    assert sorted(columns) == sorted(("amount", *nf.VOLATILE))
    assert all(str(columns[c].rules.max_changed_rows) == "100%" for c in nf.VOLATILE)
    amount = columns["amount"].rules  # numeric noise: bounds on its size, never a share
    (floor_amount,) = (c for c in learnt.floor[0].columns if c.name == "amount")
    assert amount.max_changed_rows is None
    assert amount.max_abs_diff == 2 * (floor_amount.max_abs_diff or 0)
    top = policy.datasets["top"].rules
    assert (top.max_only_in_production, top.max_only_in_candidate) == (Limit(2), Limit(2))
    code, report = _compare(capsys, tmp_path, runs["production"], runs["candidate"],
                            "--policy", suggested)  # fmt: skip
    assert (code, report.verdict.status) == (0, "PASS")
    assert _findings(report) == [("scores", "amount", "tolerated"),
                                 ("scores", "request_id", "tolerated"),
                                 ("scores", "scored_at", "tolerated"), ("top", None, "tolerated"),
                                 ("top", None, "tolerated")]  # fmt: skip
    code, report = _compare(capsys, tmp_path, runs["production"], runs["changed"],
                            "--policy", suggested)  # fmt: skip
    assert code == 1
    assert {r.column for r in report.verdict.reasons} == {"amount", "segment"}
    segment = next(r for r in report.verdict.reasons if r.column == "segment")
    assert segment.measured == nf.CHANGED_SEGMENT


def test_the_suggested_spec_tables_make_the_noise_equal(runs: dict[str, Path]) -> None:
    """The [datasets.NAME] part: abs/rel tolerances and ignores that a run spec takes."""
    import tomllib

    pairs = pair(str(runs["production"]), str(runs["baseline"]))
    floors = api.learn_floor(pairs, lambda _: DatasetSpec(key=("id",)))
    text = suggest(floors, Policy())
    scores = tomllib.loads(text)["datasets"]["scores"]
    assert sorted(scores["ignore_columns"]) == sorted(nf.VOLATILE)
    spec = DatasetSpec(key=("id",), ignore_columns=tuple(scores["ignore_columns"]),
                       column_abs_tol=scores["abs_tol"])  # fmt: skip
    plain = DatasetSpec(key=("id",))
    report = api.compare(str(runs["production"]), str(runs["candidate"]),
                         lambda name: spec if name == "scores" else plain)  # fmt: skip
    (values,) = (c for c in report.datasets[0].columns if c.name == "amount")
    assert values.unequal == 0


def test_suggest_quotes_every_name_from_data() -> None:
    import tomllib

    odd = 'a.b "q" \n\x7f]'
    floors = (floor(ColumnFloor(odd, 10, 10, volatile=True), name=odd),)
    data = tomllib.loads(suggest(floors, Policy()))
    assert data["policy"]["datasets"][odd]["columns"][odd]["max_changed_rows"] == "100%"
    assert data["datasets"][odd]["ignore_columns"] == [odd]


def test_learn_floor_and_build_report_carry_the_floor(runs: dict[str, Path]) -> None:
    spec = DatasetSpec(key=("id",))
    floors = api.learn_floor(pair(str(runs["production"]), str(runs["baseline"])), lambda _: spec)
    assert [f.name for f in floors] == ["scores", "top"]
    pairs = pair(str(runs["production"]), str(runs["candidate"]))
    diffs = api.compare_pairs(pairs, lambda _: spec)
    report = api.build_report("p", "c", diffs, baseline="b", floor=floors)
    assert (report.baseline, report.floor, report.verdict.status) == ("b", floors, "PASS")
    assert api.build_report("p", "c", diffs).verdict.status == "FAIL"
    again = json_report.load(json_report.render(report))
    assert again == report  # the floor round-trips through the JSON report
    saved = json.loads(json_report.render(report))
    assert saved["schema_version"] == 3
    assert saved["floor"][0]["name"] == "scores"


# ------------------------------------------------------------------- saved reports (JSON v3)
def test_a_saved_report_is_decided_again_against_its_floor(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, runs: dict[str, Path]
) -> None:
    code, report = _compare(capsys, tmp_path, runs["production"], runs["candidate"],
                            "--baseline", runs["baseline"])  # fmt: skip
    assert code == 0
    saved = tmp_path / "saved.json"
    saved.write_text(json_report.render(report), encoding="utf-8")
    again = api.report(str(saved), Policy())
    assert (again.verdict.status, again.floor) == ("PASS", report.floor)
    strict = api.report(str(saved), Policy(noise="fail"))
    assert strict.verdict.status == "FAIL"
    assert {r.rule for r in strict.verdict.reasons} == {"noise"}
    assert len(strict.verdict.reasons) == len(report.verdict.findings) == 5
    assert invoke(capsys, "report", saved, "--noise", "warn", "--quiet").code == 0
    assert invoke(capsys, "report", saved, "--noise", "fail", "--quiet").code == 1


@pytest.mark.parametrize(("edit", "fragment"), [
    (lambda d: d["floor"][0]["columns"][0].update(volatile="yes"),
     "floor[0].columns[0].volatile is \"yes\", not true or false"),
    (lambda d: d["floor"][0].update(only_in_baseline=-0.5),
     "floor[0].only_in_baseline is -0.5, not an integer"),
    (lambda d: d["verdict"]["findings"][0].update(classification="noisy"),
     'verdict.findings[0].classification is "noisy", not one of "expected", "tolerated", '
     '"noise", "unexpected"'),
    (lambda d: d.update(baseline=3), "baseline is 3, not a string or null"),
    (lambda d: d.update(schema_version=2), "schema_version 2, this dataops-diff reads 3"),
])  # fmt: skip
def test_a_saved_report_is_checked_field_by_field(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    runs: dict[str, Path],
    edit: Any,
    fragment: str,
) -> None:
    _, report = _compare(capsys, tmp_path, runs["production"], runs["candidate"],
                            "--baseline", runs["baseline"])  # fmt: skip
    data = json.loads(json_report.render(report))
    edit(data)
    saved = tmp_path / "edited.json"
    saved.write_text(json.dumps(data), encoding="utf-8")
    outcome = invoke(capsys, "report", saved)
    assert outcome.code == 2
    assert fragment in outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1

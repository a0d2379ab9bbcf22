"""Table-driven: (diffs, policy) -> verdict, reasons and findings, for every rule and severity.

Policies are written as the TOML tables a user would write, so every case also runs the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

import hypothesis
import hypothesis.strategies as st
import pytest

from dataops_diff.model import (
    Column,
    ColumnDiff,
    ColumnShift,
    DatasetDiff,
    Duplicates,
    InputFingerprint,
    Profile,
    RunComparison,
    RunRecord,
    SchemaDiff,
    TypeChange,
)
from dataops_diff.policy import (
    Policy,
    PolicyNameError,
    check_names,
    evaluate,
    parse_limit,
    policy_from_dict,
)


def col(name: str = "amount", unequal: int = 0, compared: int = 1000, **kw: Any) -> ColumnDiff:
    return ColumnDiff(name, kw.pop("candidate_name", name), "double", "double", compared, unequal,
                      0, 0, **kw)  # fmt: skip


def ds(name: str = "orders", *columns: ColumnDiff, rows: int = 1000, **kw: Any) -> DatasetDiff:
    columns = columns or (col(),)
    base: dict[str, Any] = {
        "production_rows": rows,
        "candidate_rows": rows,
        "matched_rows": rows,
        "rows_with_differences": max(c.unequal for c in columns),
        "columns": columns,
        "key": ("id",),
    }
    base.update(kw)
    return DatasetDiff(name, base.pop("status", "compared"), f"p/{name}", f"c/{name}", **base)


def shifted(name: str = "score", **measures: Any) -> ColumnDiff:
    profile = Profile(rows=1000, nulls=0)
    return col(name, shift=ColumnShift(profile, profile, **measures))


def run(**candidate: Any) -> RunComparison:
    counters = candidate.pop("production_counters", {"rows_written": 1000.0})
    production = RunRecord("production", ("job",), "/w", "/o/p", "succeeded",
                           exit_code=0, duration_seconds=100.0, peak_memory_bytes=1 << 30,
                           counters=counters)  # fmt: skip
    inputs = candidate.pop("inputs", ())
    return RunComparison("r1", "/runs/r1", production,
                         replace(production, side="candidate", **candidate), inputs)  # fmt: skip


@dataclass(frozen=True)
class Case:
    id: str
    datasets: tuple[DatasetDiff, ...]
    policy: dict[str, Any]
    status: str
    reasons: tuple[tuple[str, str, str], ...] = ()  # (rule, severity, message), in order
    findings: tuple[tuple[str, str], ...] = ()  # (kind, classification), in order
    run: RunComparison | None = None


AMOUNT_19 = ds("orders", col("amount", 19))
ADDED = ds(schema=SchemaDiff(only_in_candidate=(Column("note", "string"),)))
REMOVED = ds(schema=SchemaDiff(only_in_production=(Column("legacy", "int64"),)))
RETYPED = ds(schema=SchemaDiff(type_changes=(TypeChange("amount", "int64", "double"),)))
NEW_DS = ds("refunds", status="only_in_candidate", production_rows=None, candidate_rows=7)
GONE_DS = ds("audit", status="only_in_production", production_rows=3, candidate_rows=None)
EXTRA_ROWS = ds(rows=1000, candidate_rows=1010, only_in_candidate=10)
LOST_ROWS = ds(rows=1000, candidate_rows=995, only_in_production=5)
DUPES = ds(duplicates=Duplicates(production_keys=4, production_rows=8, groups=4,
                                 groups_differing=2))  # fmt: skip
TWO_COLS = ds("orders", col("amount", 30), col("price", 8), rows_with_differences=35)
SCORES = ds("model", shifted("score", psi=0.25, ks=0.08, null_share_change=-0.03, tvd=None))
CATEGORIES = ds("model", shifted("segment", psi=None, ks=None, null_share_change=0.0, tvd=0.2))
NO_PROFILE = ds("model", col("score"))

CASES = [
    Case("clean", (ds(),), {}, "PASS"),
    Case("strict values", (AMOUNT_19,), {}, "FAIL",
         (("changed_rows", "fail", "orders.amount: 19 of 1,000 rows changed (1.9%), limit 0"),),
         (("values", "unexpected"),)),
    Case("share limit exceeded", (AMOUNT_19,), {"max_changed_rows": "0.5%"}, "FAIL",
         (("changed_rows", "fail",
           "orders.amount: 1.9% of rows changed (19 of 1,000), limit 0.5%"),),
         (("values", "unexpected"),)),
    Case("share limit within", (AMOUNT_19,), {"max_changed_rows": "2%"}, "PASS",
         findings=(("values", "tolerated"),)),
    Case("count limit within", (AMOUNT_19,), {"max_changed_rows": 19}, "PASS",
         findings=(("values", "tolerated"),)),
    Case("count limit exceeded", (AMOUNT_19,), {"max_changed_rows": 18}, "FAIL",
         (("changed_rows", "fail", "orders.amount: 19 of 1,000 rows changed (1.9%), limit 18"),),
         (("values", "unexpected"),)),
    Case("changed_rows warns", (AMOUNT_19,), {"severity": {"changed_rows": "warn"}}, "WARN",
         (("changed_rows", "warn", "orders.amount: 19 of 1,000 rows changed (1.9%), limit 0"),),
         (("values", "unexpected"),)),
    Case("column beats dataset beats top", (TWO_COLS,),
         {"max_changed_rows": "0.1%", "datasets": {"orders": {
             "max_changed_rows": "1%", "columns": {"amount": {"max_changed_rows": "5%"}}}}},
         "PASS", findings=(("values", "tolerated"), ("values", "tolerated"))),
    Case("top-level column target", (TWO_COLS,),
         {"max_changed_rows": "1%", "columns": {"orders.amount": {"max_changed_rows": 30}}},
         "PASS", findings=(("values", "tolerated"), ("values", "tolerated"))),
    Case("dataset severity beats top", (AMOUNT_19,),
         {"severity": {"changed_rows": "warn"},
          "datasets": {"orders": {"severity": {"changed_rows": "fail"}}}}, "FAIL",
         (("changed_rows", "fail", "orders.amount: 19 of 1,000 rows changed (1.9%), limit 0"),),
         (("values", "unexpected"),)),
    Case("dataset_changed_rows", (TWO_COLS,),
         {"max_changed_rows": "5%", "max_dataset_changed_rows": "3%"}, "FAIL",
         (("dataset_changed_rows", "fail",
           "orders: 3.5% of matched rows changed (35 of 1,000), limit 3%"),),
         (("changed_rows", "unexpected"), ("values", "tolerated"), ("values", "tolerated"))),
    # ---- expected changes
    Case("expected column changed", (AMOUNT_19,), {"expect_changes": ["orders.amount"]}, "PASS",
         findings=(("expected_change", "expected"), ("values", "expected"))),
    Case("expected bare column", (AMOUNT_19,), {"expect_changes": ["amount"]}, "PASS",
         findings=(("expected_change", "expected"), ("values", "expected"))),
    Case("expected via column table", (AMOUNT_19,),
         {"datasets": {"orders": {"columns": {"amount": {"expect_change": True}}}}}, "PASS",
         findings=(("expected_change", "expected"), ("values", "expected"))),
    Case("expected column unchanged", (ds(),), {"expect_changes": ["orders.amount"]}, "FAIL",
         (("expected_change", "fail",
           "orders.amount: declared as an expected change, but no value changed"),),
         (("expected_change", "unexpected"),)),
    Case("expected change warns", (ds(),),
         {"expect_changes": ["orders.amount"], "severity": {"expected_change": "warn"}}, "WARN",
         (("expected_change", "warn",
           "orders.amount: declared as an expected change, but no value changed"),),
         (("expected_change", "unexpected"),)),
    Case("expected dataset", (ds("orders", col("amount", 19), only_in_candidate=3,
                                 candidate_rows=1003),),
         {"datasets": {"orders": {"expect_change": True}}}, "PASS",
         findings=(("expected_change", "expected"), ("rows_only_in_candidate", "expected"),
                   ("values", "expected"))),
    Case("expected dataset unchanged", (ds(),), {"expect_changes": ["orders"]}, "FAIL",
         (("expected_change", "fail",
           "orders: declared as an expected change, but nothing changed"),),
         (("expected_change", "unexpected"),)),
    Case("expected added column", (ADDED,), {"expect_changes": ["orders.note"]}, "PASS",
         findings=(("expected_change", "expected"), ("column_added", "expected"))),
    # ---- schema
    Case("added column strict", (ADDED,), {}, "FAIL",
         (("added_columns", "fail", "orders.note: column added (string), not allowed"),),
         (("column_added", "unexpected"),)),
    Case("added column allowed", (ADDED,), {"allow_added_columns": True}, "PASS",
         findings=(("column_added", "tolerated"),)),
    Case("added column warns", (ADDED,), {"severity": {"added_columns": "warn"}}, "WARN",
         (("added_columns", "warn", "orders.note: column added (string), not allowed"),),
         (("column_added", "unexpected"),)),
    Case("removed column strict", (REMOVED,), {}, "FAIL",
         (("removed_columns", "fail", "orders.legacy: column removed (int64), not allowed"),),
         (("column_removed", "unexpected"),)),
    Case("removed column allowed per dataset", (REMOVED,),
         {"datasets": {"orders": {"allow_removed_columns": True}}}, "PASS",
         findings=(("column_removed", "tolerated"),)),
    Case("type change strict", (RETYPED,), {}, "FAIL",
         (("type_changes", "fail",
           "orders.amount: type changed from int64 to double, not allowed"),),
         (("type_change", "unexpected"),)),
    Case("type change allowed on the column", (RETYPED,),
         {"columns": {"amount": {"allow_type_changes": True}}}, "PASS",
         findings=(("type_change", "tolerated"),)),
    # ---- datasets
    Case("new dataset strict", (NEW_DS,), {}, "FAIL",
         (("new_datasets", "fail",
           "refunds: new dataset, only in candidate, 7 rows, not allowed"),),
         (("dataset_added", "unexpected"),)),
    Case("new dataset allowed", (NEW_DS,), {"allow_new_datasets": True}, "PASS",
         findings=(("dataset_added", "tolerated"),)),
    Case("new dataset expected", (NEW_DS,), {"expect_changes": ["refunds"]}, "PASS",
         findings=(("expected_change", "expected"), ("dataset_added", "expected"))),
    Case("missing dataset strict", (GONE_DS,), {}, "FAIL",
         (("missing_datasets", "fail",
           "audit: missing dataset, only in production, 3 rows, not allowed"),),
         (("dataset_removed", "unexpected"),)),
    Case("missing dataset warns", (GONE_DS,), {"severity": {"missing_datasets": "warn"}}, "WARN",
         (("missing_datasets", "warn",
           "audit: missing dataset, only in production, 3 rows, not allowed"),),
         (("dataset_removed", "unexpected"),)),
    Case("missing dataset allowed", (GONE_DS,), {"allow_missing_datasets": True}, "PASS",
         findings=(("dataset_removed", "tolerated"),)),
    # ---- rows
    Case("rows only in candidate strict", (EXTRA_ROWS,), {}, "FAIL",
         (("only_in_candidate", "fail",
           "orders: 10 of 1,010 rows only in candidate (0.99%), limit 0"),),
         (("rows_only_in_candidate", "unexpected"),)),
    Case("rows only in one side within", (EXTRA_ROWS, LOST_ROWS),
         {"max_only_in_one_side": "1%"}, "PASS",
         findings=(("rows_only_in_candidate", "tolerated"),
                   ("rows_only_in_production", "tolerated"))),
    Case("rows only in production over a count", (LOST_ROWS,),
         {"max_only_in_one_side": 10, "max_only_in_production": 4}, "FAIL",
         (("only_in_production", "fail",
           "orders: 5 of 1,000 rows only in production (0.5%), limit 4"),),
         (("rows_only_in_production", "unexpected"),)),
    Case("row count within", (EXTRA_ROWS,),
         {"max_only_in_one_side": "1%", "max_row_count_change": "1%"}, "PASS",
         findings=(("rows_only_in_candidate", "tolerated"), ("row_count", "tolerated"))),
    Case("row count exceeded warns", (EXTRA_ROWS,),
         {"max_only_in_one_side": "1%", "max_row_count_change": 5,
          "severity": {"row_count": "warn"}}, "WARN",
         (("row_count", "warn", "orders: row count 1,000 -> 1,010 (+10, +1%), limit 5"),),
         (("rows_only_in_candidate", "tolerated"), ("row_count", "unexpected"))),
    Case("duplicates strict", (DUPES,), {}, "FAIL",
         (("duplicates", "fail",
           "orders: 2 of 4 duplicate-key groups differ (50%), limit 0"),),
         (("duplicates", "unexpected"),)),
    Case("duplicates within", (DUPES,), {"max_duplicate_groups": 2}, "PASS",
         findings=(("duplicates", "tolerated"),)),
    # ---- distribution shift
    Case("psi exceeded", (SCORES,), {"max_psi": 0.1}, "FAIL",
         (("psi", "fail", "model.score: PSI 0.25, limit 0.1"),), (("shift", "unexpected"),)),
    Case("psi within, ks exceeded warns", (SCORES,),
         {"columns": {"score": {"max_psi": 0.3, "max_ks": "5%", "severity": {"ks": "warn"}}}},
         "WARN", (("ks", "warn", "model.score: KS 0.08, limit 0.05"),),
         (("shift", "tolerated"), ("shift", "unexpected"))),
    Case("null share change is absolute", (SCORES,), {"max_null_share_change": "2%"}, "FAIL",
         (("null_share_change", "fail", "model.score: null share change 0.03, limit 0.02"),),
         (("shift", "unexpected"),)),
    Case("tvd exceeded", (CATEGORIES,), {"max_tvd": 0.1}, "FAIL",
         (("tvd", "fail", "model.segment: TVD 0.2, limit 0.1"),), (("shift", "unexpected"),)),
    Case("inherited psi skips categories", (CATEGORIES,), {"max_psi": 0.1}, "PASS"),
    Case("column psi not applicable", (CATEGORIES,),
         {"columns": {"segment": {"max_psi": 0.1}}}, "WARN",
         (("psi", "warn", "model.segment: PSI not measured (does not apply to this column), "
           "limit 0.1"),)),
    Case("column psi without a profile", (NO_PROFILE,),
         {"datasets": {"model": {"columns": {"score": {"max_psi": 0.1}}}}}, "WARN",
         (("psi", "warn", "model.score: PSI not measured (no profile), limit 0.1"),)),
    Case("no profiles at all, said once", (ds("model", col("a"), col("b")),), {"max_psi": 0.1},
         "WARN", (("psi", "warn", "model: PSI not measured (no column profiles), limit 0.1"),)),
    Case("dataset limit without profiles, said once", (ds("model", col("a"), col("b")),),
         {"datasets": {"model": {"max_ks": 0.1}}}, "WARN",
         (("ks", "warn", "model: KS not measured (no column profiles), limit 0.1"),)),
    # ---- run
    Case("candidate failed", (ds(),), {}, "FAIL",
         (("run", "fail", "candidate run failed (exit code 3)"),), (("run", "unexpected"),),
         run(status="failed", exit_code=3)),
    Case("input mutated", (ds(),), {"severity": {"inputs": "warn"}}, "WARN",
         (("inputs", "warn", "input 'in/orders' was changed by candidate"),),
         (("inputs", "unexpected"),),
         run(inputs=(InputFingerprint("in/orders", 1, 10, "ab", ("candidate",)),))),
    Case("counter strict", (ds(),), {}, "FAIL",
         (("counters", "fail", "counter 'rows_written': 1,000 -> 1,030 (+3%), limit 0%"),),
         (("counter", "unexpected"),), run(counters={"rows_written": 1030.0})),
    Case("counter within its own limit", (ds(),),
         {"max_counter_change": "1%", "counters": {"rows_written": "5%"}}, "PASS",
         findings=(("counter", "tolerated"),), run=run(counters={"rows_written": 1030.0})),
    Case("counter only in candidate", (ds(),), {"max_counter_change": "50%"}, "FAIL",
         (("counters", "fail", "counter 'retries': only in candidate, not allowed"),),
         (("counter", "unexpected"),), run(counters={"rows_written": 1000.0, "retries": 2.0})),
    Case("counter from zero", (ds(),), {"max_counter_change": "50%"}, "FAIL",
         (("counters", "fail", "counter 'rows_written': 0 -> 2 (from 0), limit 50%"),),
         (("counter", "unexpected"),),
         run(counters={"rows_written": 2.0}, production_counters={"rows_written": 0.0})),
    Case("new counter allowed", (ds(),), {"allow_new_counters": True}, "PASS",
         findings=(("counter", "tolerated"),),
         run=run(counters={"rows_written": 1000.0, "retries": 2.0})),
    Case("missing counter not allowed by allow_new_counters", (ds(),),
         {"allow_new_counters": True}, "FAIL",
         (("counters", "fail", "counter 'rows_written': only in production, not allowed"),),
         (("counter", "unexpected"),), run(counters={})),
    Case("missing counter allowed", (ds(),), {"allow_missing_counters": True}, "PASS",
         findings=(("counter", "tolerated"),), run=run(counters={})),
    Case("slowdown within", (ds(),), {"max_slowdown": "20%"}, "PASS",
         findings=(("duration", "tolerated"),), run=run(duration_seconds=110.0)),
    Case("slowdown exceeded warns", (ds(),),
         {"max_slowdown": 0.2, "severity": {"duration": "warn"}}, "WARN",
         (("duration", "warn",
           "run: candidate duration 150.0 s vs production 100.0 s (+50%), limit +20%"),),
         (("duration", "unexpected"),), run(duration_seconds=150.0)),
    Case("memory growth exceeded", (ds(),), {"max_memory_growth": "10%"}, "FAIL",
         (("memory", "fail",
           "run: candidate peak memory 1.5 GiB vs production 1.0 GiB (+50%), limit +10%"),),
         (("memory", "unexpected"),), run(peak_memory_bytes=3 << 29)),
    Case("memory not measured", (ds(),), {"max_memory_growth": "10%"}, "WARN",
         (("memory", "warn", "run: peak memory not measured (not recorded), limit +10%"),),
         run=run(peak_memory_bytes=None)),
    Case("no run limits by default", (ds(),), {}, "PASS",
         run=run(duration_seconds=500.0, peak_memory_bytes=8 << 30)),
    # ---- ordering: failures first, then warnings
    Case("fail before warn", (ADDED, AMOUNT_19), {"severity": {"added_columns": "warn"}}, "FAIL",
         (("changed_rows", "fail", "orders.amount: 19 of 1,000 rows changed (1.9%), limit 0"),
          ("added_columns", "warn", "orders.note: column added (string), not allowed")),
         (("column_added", "unexpected"), ("values", "unexpected"))),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_verdict(case: Case) -> None:
    policy = policy_from_dict(case.policy, "test: policy")
    verdict = evaluate(case.datasets, case.run, policy)
    assert verdict.status == case.status
    assert [(r.rule, r.severity, r.message) for r in verdict.reasons] == list(case.reasons)
    assert [(f.kind, f.classification) for f in verdict.findings] == list(case.findings)


def test_case_ids_are_unique() -> None:
    assert len({c.id for c in CASES}) == len(CASES)


def test_every_rule_has_a_failing_case() -> None:
    from dataops_diff.policy import RULES

    failing = {rule for c in CASES for rule, _, _ in c.reasons}
    assert failing == set(RULES)


UNKNOWN_NAMES = [
    ({"expect_changes": ["orders.amout"]},
     "test: policy.expect_changes names 'orders.amout', which is no dataset or column "
     "(closest: orders.amount"),
    ({"datasets": {"ordres": {}}},
     "test: policy.datasets.ordres names dataset 'ordres', which neither version has "
     "(closest: orders); fix the name"),
    ({"columns": {"orders.amout": {"max_psi": 0.1}}},
     "test: policy.columns.\"orders.amout\" names column 'orders.amout', which no dataset has "
     "(closest: orders.amount"),
    ({"datasets": {"orders": {"columns": {"amout": {"max_psi": 0.1}}}}},
     "test: policy.datasets.orders.columns.amout names column 'amout', which dataset 'orders' "
     "has in neither version (closest: amount)"),
]  # fmt: skip


@pytest.mark.parametrize(("table", "message"), UNKNOWN_NAMES)
def test_a_name_that_matches_nothing_is_an_error(table: dict[str, Any], message: str) -> None:
    """A misspelt name would turn its guardrail off: an error (exit 2), never a pass."""
    policy = policy_from_dict(table, "test: policy")
    with pytest.raises(PolicyNameError) as info:
        evaluate((ds(),), None, policy)
    assert str(info.value).startswith(message)
    assert info.value.exit_code == 2


def test_names_are_checked_against_both_versions() -> None:
    """A column only in the candidate, an ignored or a key column are names that exist."""
    added = ds(schema=SchemaDiff(only_in_candidate=(Column("note", "string"),)),
               ignored_columns=("loaded_at",))  # fmt: skip
    for name in ("note", "loaded_at", "id", "orders.note"):
        policy = policy_from_dict({"columns": {name: {"max_psi": 0.1}}}, "test")
        evaluate((added,), None, policy)  # no error
    check_names(policy_from_dict({"datasets": {"new": {}}}, "t"), {"new": ["x"], "old": []})


def test_reason_carries_place_measured_and_limit() -> None:
    policy = policy_from_dict({"max_changed_rows": "0.5%"}, "test")
    (reason,) = evaluate((AMOUNT_19,), None, policy).reasons
    assert (reason.dataset, reason.column) == ("orders", "amount")
    assert reason.measured == pytest.approx(0.019)
    assert reason.limit == pytest.approx(0.005)


def test_default_policy_is_strict_and_none_means_default() -> None:
    assert evaluate((AMOUNT_19,), None) == evaluate((AMOUNT_19,), None, Policy())
    assert evaluate((AMOUNT_19,), None).status == "FAIL"


def test_every_difference_is_classified() -> None:
    everything = (ADDED, REMOVED, RETYPED, NEW_DS, GONE_DS, EXTRA_ROWS, DUPES, TWO_COLS)
    verdict = evaluate(everything, run(counters={"rows_written": 1.0}))
    assert verdict.status == "FAIL"
    kinds = {f.kind for f in verdict.findings}
    assert kinds == {"column_added", "column_removed", "type_change", "dataset_added",
                     "dataset_removed", "rows_only_in_candidate", "duplicates", "values",
                     "counter"}  # fmt: skip
    assert all(f.classification == "unexpected" for f in verdict.findings)
    assert len(verdict.reasons) == len(verdict.findings)


def test_verdicts_are_json_safe() -> None:
    """Every reason's measured value and limit survive the JSON report (no inf, no NaN)."""
    import json

    from dataops_diff.model import Report, to_dict

    for case in CASES:
        verdict = evaluate(case.datasets, case.run, policy_from_dict(case.policy, "test"))
        report = Report("p", "c", case.datasets, verdict, run=case.run)
        text = json.dumps(to_dict(report), allow_nan=False)
        assert Report.from_dict(json.loads(text)) == report, case.id


# ---- limits compare in exact arithmetic (0.29 * 100 is 28.999999999999996 in floats)
@pytest.mark.parametrize("pct", range(101))
def test_a_share_limit_holds_exactly_at_the_limit(pct: int) -> None:
    """pct of 100 rows changed, limit pct%: PASS; one row more: FAIL. Every percent 0..100."""
    policy = policy_from_dict({"max_changed_rows": f"{pct}%"}, "test")
    at_limit = evaluate((ds("orders", col("amount", pct, 100), rows=100),), None, policy)
    assert at_limit.status == "PASS", at_limit.reasons
    if pct < 100:
        over = evaluate((ds("orders", col("amount", pct + 1, 100), rows=100),), None, policy)
        assert over.status == "FAIL"
        assert over.reasons[0].message.endswith(f", limit {pct}%")


@hypothesis.given(
    pct=st.decimals(min_value=0, max_value=100, places=3),
    total=st.integers(min_value=1, max_value=10**9),
    shift=st.integers(min_value=-2, max_value=2),
)
def test_share_limits_agree_with_exact_arithmetic(pct: Decimal, total: int, shift: int) -> None:
    """A count is within "P%" of a total exactly when count * 100 <= P * total."""
    limit = parse_limit(f"{pct}%")
    exact_share = Fraction(pct) / 100
    count = max(0, int(exact_share * total) + shift)
    assert limit.allows(count, total) == (count <= exact_share * total)


@pytest.mark.parametrize(("production", "candidate", "limit", "within"), [
    (100.0, 110.0, "10%", True), (100.0, 110.5, "10%", False), (1.0, 1.1, "10%", True),
    (3.0, 3.3, "10%", True), (100.0, 57.0, "43%", True),
])  # fmt: skip
def test_counter_limits_hold_exactly_at_the_limit(
    production: float, candidate: float, limit: str, within: bool
) -> None:
    policy = policy_from_dict({"max_counter_change": limit}, "test")
    counters = {"production_counters": {"n": production}, "counters": {"n": candidate}}
    verdict = evaluate((ds(),), run(**counters), policy)
    assert (verdict.status == "PASS") == within, verdict.reasons


@pytest.mark.parametrize(("seconds", "status"), [(110.0, "PASS"), (110.1, "FAIL")])
def test_slowdown_holds_exactly_at_the_limit(seconds: float, status: str) -> None:
    policy = policy_from_dict({"max_slowdown": "10%"}, "test")
    assert evaluate((ds(),), run(duration_seconds=seconds), policy).status == status


def test_a_name_set_through_python_names_the_policy_field() -> None:
    from dataops_diff.policy import ColumnPolicy, DatasetPolicy

    with pytest.raises(PolicyNameError, match=r"^Policy.columns names column 'amout'"):
        evaluate((ds(),), None, Policy(columns={"amout": ColumnPolicy()}))
    nested = Policy(datasets={"orders": DatasetPolicy(columns={"amout": ColumnPolicy()})})
    with pytest.raises(PolicyNameError, match=r"^Policy.datasets\['orders'\].columns names"):
        evaluate((ds(),), None, nested)


def test_names_are_not_checked_when_nothing_was_compared() -> None:
    """Production failed: no dataset to match, and the failure is what must be reported."""
    policy = policy_from_dict({"datasets": {"orders": {}}, "expect_changes": ["x"]}, "t")
    assert evaluate((), run(status="failed", exit_code=1), policy).status == "FAIL"
    (reason,) = evaluate((), None, policy).reasons  # and a declared change cannot happen
    assert reason.message == "expected change 'x': no dataset was compared"

"""The policy parser: every value form, and errors that name the place, the key and the fix."""

from __future__ import annotations

from typing import Any

import pytest

from dataops_diff.errors import SpecError
from dataops_diff.policy import (
    ColumnPolicy,
    DatasetPolicy,
    Limit,
    Policy,
    Rules,
    format_share,
    parse_limit,
    parse_ratio,
    policy_from_dict,
)

WHERE = "dataops-diff.toml: policy"


@pytest.mark.parametrize(
    ("value", "limit"),
    [
        ("0.5%", Limit(0.005, share=True)),
        (" 12% ", Limit(0.12, share=True)),
        ("100%", Limit(1.0, share=True)),
        (0, Limit(0)),
        (25, Limit(25)),
        ("25", Limit(25)),
    ],
)
def test_parse_limit(value: object, limit: Limit) -> None:
    parsed = parse_limit(value)
    assert parsed.share == limit.share
    assert parsed.value == pytest.approx(limit.value)


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        (0.005, 'ending in % ("0.5%")'),
        (True, "count of rows as an integer"),
        (-1, "cannot be negative"),
        ("150%", "at most 100%"),
        ("-1%", "finite number >= 0"),
        ("lots", 'ending in % ("0.5%")'),
        ("nan%", "finite number >= 0"),
    ],
)
def test_parse_limit_rejects(value: object, hint: str) -> None:
    with pytest.raises(ValueError, match="got") as info:
        parse_limit(value)
    assert hint in str(info.value)


@pytest.mark.parametrize(
    ("value", "ratio"), [(0.2, 0.2), (1, 1.0), ("20%", 0.2), ("0.1", 0.1), ("250%", 2.5)]
)
def test_parse_ratio(value: object, ratio: float) -> None:
    assert parse_ratio(value) == pytest.approx(ratio)


@pytest.mark.parametrize("value", [-0.1, float("inf"), "x%", False, [1]])
def test_parse_ratio_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="write"):
        parse_ratio(value)


@pytest.mark.parametrize(
    ("share", "text"),
    [(0.0, "0%"), (0.019, "1.9%"), (0.005, "0.5%"), (0.125, "12.5%"), (1.0, "100%"),
     (1e-7, "<0.001%"), (0.99999, ">99.9%"), (0.0123456, "1.23%")],
)  # fmt: skip
def test_format_share(share: float, text: str) -> None:
    assert format_share(share) == text


def test_limit_allows() -> None:
    assert Limit(0.01, share=True).allows(10, 1000)
    assert not Limit(0.01, share=True).allows(11, 1000)
    assert Limit(0.5, share=True).allows(0, 0)
    assert not Limit(0.5, share=True).allows(1, 0)
    assert Limit(3).allows(3, 10)
    assert not Limit(3).allows(4, 10)


def test_full_policy() -> None:
    table: dict[str, Any] = {
        "expect_changes": ["orders.amount", "refunds"],
        "max_changed_rows": "0.5%",
        "max_only_in_one_side": 10,
        "max_only_in_candidate": "1%",
        "allow_added_columns": True,
        "max_psi": 0.1,
        "severity": {"row_count": "warn"},
        "allow_new_datasets": True,
        "max_counter_change": "5%",
        "allow_new_counters": True,
        "counters": {"rows_written": 0},
        "max_slowdown": "20%",
        "max_memory_growth": 0.5,
        "fail_on": "warn",
        "columns": {"score": {"max_ks": 0.05}},
        "datasets": {
            "orders": {
                "expect_change": False,
                "max_row_count_change": "2%",
                "columns": {"amount": {"expect_change": True, "max_tvd": "10%"}},
            }
        },
    }
    policy = policy_from_dict(table, WHERE)
    assert policy == Policy(
        rules=Rules(
            max_changed_rows=Limit(0.005, share=True),
            max_only_in_production=Limit(10),
            max_only_in_candidate=Limit(0.01, share=True),
            allow_added_columns=True,
            max_psi=0.1,
            severity={"row_count": "warn"},
        ),
        datasets={
            "orders": DatasetPolicy(
                rules=Rules(max_row_count_change=Limit(0.02, share=True)),
                columns={"amount": ColumnPolicy(True, Rules(max_tvd=0.1))},
            )
        },
        columns={"score": ColumnPolicy(rules=Rules(max_ks=0.05))},
        expect_changes=("orders.amount", "refunds"),
        allow_new_datasets=True,
        max_counter_change=0.05,
        allow_new_counters=True,
        counters={"rows_written": 0.0},
        max_slowdown=0.2,
        max_memory_growth=0.5,
        fail_on="warn",
    )


def test_empty_table_is_the_strict_default() -> None:
    assert policy_from_dict({}, WHERE) == Policy()


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"max_changed_row": 1},
         "dataops-diff.toml: policy: unknown key 'max_changed_row'; use one of: "),
        ({"max_changed_rows": 0.005},
         "dataops-diff.toml: policy.max_changed_rows: got 0.005; write a share of rows as a "
         'string ending in % ("0.5%") or a count of rows as an integer'),
        ({"max_psi": "high"},
         "dataops-diff.toml: policy.max_psi: got 'high'; write a number (0.2) or a percentage"),
        ({"allow_added_columns": "yes"},
         "dataops-diff.toml: policy.allow_added_columns: got 'yes'; write true or false"),
        ({"severity": {"values": "warn"}},
         "dataops-diff.toml: policy.severity: unknown rule 'values'; use one of: "
         "expected_change, "),
        ({"severity": {"psi": "error"}},
         "dataops-diff.toml: policy.severity.psi: got 'error'; use \"fail\" or \"warn\""),
        ({"fail_on": "never"},
         "dataops-diff.toml: policy.fail_on: got 'never'; use \"fail\" or \"warn\""),
        ({"expect_changes": "orders.amount"},
         "dataops-diff.toml: policy.expect_changes: expected a list of names"),
        ({"datasets": {"orders": 1}},
         "dataops-diff.toml: policy.datasets.orders: expected a table, got 1"),
        ({"datasets": {"orders": {"max_slowdown": "1%"}}},
         "dataops-diff.toml: policy.datasets.orders: unknown key 'max_slowdown'"),
        ({"datasets": {"orders": {"columns": {"amount": {"allow_added_columns": True}}}}},
         "dataops-diff.toml: policy.datasets.orders.columns.amount: unknown key "
         "'allow_added_columns'"),
        ({"columns": {"amount": {"max_changed_rows": "x"}}},
         "dataops-diff.toml: policy.columns.amount.max_changed_rows: got 'x'"),
        ({"counters": {"rows": "-5%"}},
         "dataops-diff.toml: policy.counters.rows: got '-5%'; write a finite number >= 0"),
    ],
)  # fmt: skip
def test_errors_name_place_key_and_fix(table: dict[str, Any], message: str) -> None:
    with pytest.raises(SpecError) as info:
        policy_from_dict(table, WHERE)
    assert info.value.message.startswith(message)
    assert "\n" not in info.value.message

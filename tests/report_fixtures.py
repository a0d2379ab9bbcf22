"""Reports built in code for the Markdown and JUnit golden tests (no engine needed).

``failing()``: a shadow run with every kind of difference (the verdict comes from the policy);
``passing()``: a compare whose only difference is declared; ``hostile()``: names and values that
try to break out of Markdown, HTML and XML.
"""

from __future__ import annotations

import os
from pathlib import Path

from dataops_diff.model import (
    Column,
    ColumnDiff,
    ColumnShift,
    DatasetDiff,
    Profile,
    Report,
    RowSample,
    RunComparison,
    RunRecord,
    SchemaDiff,
    TypeChange,
    ValueSample,
)
from dataops_diff.policy import evaluate, policy_from_dict

HOSTILE = "a|b `c` <script>alert(1)</script> **x** [l](http://e) @team #12 \\ \n| new row &amp;\x1b"


def _orders() -> DatasetDiff:
    profile = Profile(rows=5000, nulls=0)
    amount = ColumnDiff(
        "amount",
        "amount",
        "double",
        "double",
        5000,
        95,
        0,
        2,
        max_abs_diff=0.5,
        max_rel_diff=0.01,
        samples=(
            ValueSample({"order_id": 17}, 10.0, 10.5),
            ValueSample({"order_id": 42}, 3.25, None),
        ),
        shift=ColumnShift(profile, profile, psi=0.012, ks=0.03),
    )
    score = ColumnDiff(
        "score",
        "score",
        "double",
        "double",
        5000,
        5000,
        0,
        0,
        max_abs_diff=0.2,
        shift=ColumnShift(profile, profile, psi=0.31, ks=0.2),
    )
    status = ColumnDiff("status", "state", "string", "string", 5000, 0, 0, 0)
    return DatasetDiff(
        "orders",
        "compared",
        "prod/orders.parquet",
        "cand/orders.parquet",
        ("order_id",),
        production_rows=5000,
        candidate_rows=5003,
        matched_rows=5000,
        rows_with_differences=5000,
        only_in_candidate=3,
        schema=SchemaDiff(
            only_in_candidate=(Column("discount", "double"),),
            type_changes=(TypeChange("quantity", "int32", "int64"),),
        ),
        columns=(amount, score, status),
        only_in_candidate_samples=(RowSample({"order_id": 5001, "amount": 1.5, "score": 0.4}),),
    )


def _run() -> RunComparison:
    production = RunRecord(
        "production",
        ("python", "job.py"),
        "/w",
        "runs/r1/production",
        "succeeded",
        exit_code=0,
        duration_seconds=10.0,
        peak_memory_bytes=100 << 20,
        git_sha="a1b2c3d4e5f60718",
        counters={"rows_written": 5000.0},
    )
    candidate = RunRecord(
        "candidate",
        ("python", "job.py"),
        "/w",
        "runs/r1/candidate",
        "succeeded",
        exit_code=0,
        duration_seconds=14.0,
        peak_memory_bytes=110 << 20,
        git_sha="0f1e2d3c4b5a6978",
        counters={"rows_written": 5003.0},
    )
    return RunComparison("r1", "runs/r1", production, candidate)


def failing() -> Report:
    datasets = (
        _orders(),
        DatasetDiff(
            "customers",
            "compared",
            "prod/customers.parquet",
            "cand/customers.parquet",
            ("id",),
            production_rows=800,
            candidate_rows=800,
            matched_rows=800,
            identical=True,
        ),
        DatasetDiff(
            "refunds",
            "only_in_candidate",
            None,
            "cand/refunds.parquet",
            candidate_rows=12,
            only_in_candidate=12,
            schema=SchemaDiff(
                only_in_candidate=(Column("refund_id", "int64"), Column("amount", "double"))
            ),
            only_in_candidate_samples=(RowSample({"refund_id": 1, "amount": 9.5}),),
        ),
    )
    policy = policy_from_dict(
        {
            "expect_changes": ["orders.discount", "orders.status"],
            "max_changed_rows": "0.5%",
            "max_counter_change": "1%",
            "max_slowdown": "20%",
            "severity": {"only_in_candidate": "warn"},
            "columns": {"score": {"max_psi": 0.1}},
        },
        "tests: policy",
    )
    run = _run()
    return Report(
        "main",
        "feature",
        datasets,
        evaluate(datasets, run, policy),
        command="run",
        run=run,
        tool_version="0.1.0",
    )


def passing() -> Report:
    price = ColumnDiff(
        "price",
        "price",
        "decimal128(10, 2)",
        "decimal128(10, 2)",
        200,
        200,
        0,
        0,
        samples=(ValueSample({"sku": "A-1", "day": "2024-01-01"}, "9.99", "10.49"),),
    )
    datasets = (
        DatasetDiff(
            "prices",
            "compared",
            "prod/prices.csv",
            "cand/prices.csv",
            ("sku", "day"),
            production_rows=200,
            candidate_rows=200,
            matched_rows=200,
            rows_with_differences=200,
            columns=(price,),
        ),
    )
    policy = policy_from_dict({"expect_changes": ["price"]}, "tests: policy")
    return Report(
        "prod/prices.csv",
        "cand/prices.csv",
        datasets,
        evaluate(datasets, None, policy),
        tool_version="0.1.0",
    )


def hostile() -> Report:
    column = ColumnDiff(
        HOSTILE,
        HOSTILE,
        "string",
        "string",
        10,
        1,
        0,
        0,
        samples=(ValueSample({HOSTILE: HOSTILE}, HOSTILE, "</details>"),),
    )
    datasets = (
        DatasetDiff(
            HOSTILE,
            "compared",
            HOSTILE,
            HOSTILE,
            (HOSTILE,),
            production_rows=10,
            candidate_rows=11,
            matched_rows=10,
            rows_with_differences=1,
            only_in_candidate=1,
            columns=(column,),
            schema=SchemaDiff(only_in_candidate=(Column(HOSTILE, HOSTILE),)),
            only_in_candidate_samples=(RowSample({HOSTILE: HOSTILE, "n": None}),),
        ),
    )
    return Report(
        HOSTILE, HOSTILE, datasets, evaluate(datasets, None), engine=HOSTILE, tool_version=HOSTILE
    )


GOLDEN = Path(__file__).parent / "golden"


def check_golden(folder: str, name: str, text: str) -> None:
    """Compare with tests/golden/<folder>/<name>; UPDATE_GOLDEN=1 rewrites it (review the diff)."""
    path = GOLDEN / folder / name
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    assert path.exists(), f"no golden file {path}; run UPDATE_GOLDEN=1 pytest and review it"
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{path} differs; if intended, rerun with UPDATE_GOLDEN=1"

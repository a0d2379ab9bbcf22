"""Reports built in code with every field issues 15 and 16 added, for the renderers' golden tests.

No engine and no policy run: the verdicts are written by hand, so the renderers can be built
against the model before the producers fill it. Every count adds up, and the constants below are
what tests assert against:

``rich_run()``: a shadow run with a baseline (third run record, noise floor). Dataset "orders"
(key order_id) has every kind of difference: ``ORDERS_PRODUCTION_ROWS`` = matched + only in
production + rows in duplicate-key groups (995 + 2 + 3), ``ORDERS_CANDIDATE_ROWS`` = 995 + 4 + 3;
its columns: amount (unexpected, binned transitions, value->null 14, delta and segments), status
(expected, string transitions), discount and the hostile ``NOTE`` column (tolerated), score (noise:
within the floor's max difference) and scored_at (noise: volatile in the baseline too). Dataset
"events" changed only within its floor (noise only), "customers" is identical, "refunds" is new.
``noise_compare()``: a compare with ``--baseline``, PASS, whose differences are noise and expected.
``error_run()``: production failed, verdict ERROR, nothing compared.
Hostile strings appear where data appears: ``<script>``, pipes and backticks, rich markup, ANSI
escapes, bidi controls, and a value longer than any terminal line (``LONG``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from rich_report_columns import (
    AMOUNT_CHANGED,
    AMOUNT_VALUE_TO_NULL,
    CHANNEL,
    ESC,
    EVENTS_ROWS,
    HOSTILE_NOTE,
    LONG,
    MARKUP,
    NOTE,
    ORDERS_CANDIDATE_ROWS,
    ORDERS_MATCHED,
    ORDERS_PRODUCTION_ROWS,
    RLO,
    SCRIPT,
    STATUS_CHANGED,
    dist,
    orders_columns,
)

from dataops_diff.model import (
    ColumnDiff,
    ColumnFloor,
    DatasetDiff,
    DatasetFloor,
    DeltaDistribution,
    Duplicates,
    Finding,
    FullRowSample,
    JSONValue,
    Reason,
    Report,
    RowSample,
    RunComparison,
    RunRecord,
    RunSide,
    Transition,
    ValueSample,
    Verdict,
)

__all__ = [
    "AMOUNT_CHANGED",
    "AMOUNT_VALUE_TO_NULL",
    "CHANNEL",
    "ESC",
    "EVENTS_ROWS",
    "HOSTILE_NOTE",
    "LONG",
    "MARKUP",
    "NOTE",
    "ORDERS_CANDIDATE_ROWS",
    "ORDERS_MATCHED",
    "ORDERS_PRODUCTION_ROWS",
    "REPORTS",
    "RLO",
    "SCRIPT",
    "STATUS_CHANGED",
    "check_counts",
    "error_run",
    "noise_compare",
    "rich_run",
]

Row = dict[str, JSONValue]


def _row(order_id: int, amount: float | None, status: str | None, **rest: JSONValue) -> Row:
    row: Row = {"order_id": order_id, "amount": amount, "status": status,
                              "discount": 0.1, "score": 0.53, "country": "DE",
                              "scored_at": "2026-12-01 10:00:00", NOTE: "ok"}  # fmt: skip
    row.update(rest)
    return row


def _orders() -> DatasetDiff:
    group_p = [_row(500, 1.0, "Low"), _row(500, 1.0, "Low"), _row(500, 2.0, MARKUP)]
    group_c = [_row(500, 1.0, "Low"), _row(500, 1.0, "Low"), _row(500, 2.5, MARKUP)]
    return DatasetDiff(
        "orders", "compared", "prod/orders", "cand/orders", ("order_id",),
        production_rows=ORDERS_PRODUCTION_ROWS, candidate_rows=ORDERS_CANDIDATE_ROWS,
        matched_rows=ORDERS_MATCHED, rows_with_differences=ORDERS_MATCHED,  # scored_at: every row
        only_in_production=2, only_in_candidate=4,
        duplicates=Duplicates(
            production_keys=1, production_rows=3, candidate_keys=1, candidate_rows=3, groups=1,
            groups_differing=1, production_rows_unmatched=1, candidate_rows_unmatched=1,
            production_group_rows=3, candidate_group_rows=3,
            samples=(ValueSample({"order_id": 500}, group_p, group_c),),
        ),
        columns=orders_columns(),
        only_in_production_samples=(
            RowSample(_row(1001, 5.0, "Low")), RowSample(_row(1002, None, ESC)),
        ),
        only_in_candidate_samples=tuple(
            RowSample(_row(i, 7.5, "High", country="FR")) for i in (2001, 2002, 2003)
        ),
        row_samples=(
            FullRowSample(
                {"order_id": 17}, _row(17, 12.5, "High", score=0.5300000001),
                _row(17, 25.0, "Low", score=0.5300000003, scored_at="2026-12-01 10:05:00"),
                ("amount", "status", "score", "scored_at"),
            ),
            FullRowSample(
                {"order_id": 42}, _row(42, 23.0, "pending", **{NOTE: LONG}),
                _row(42, None, None, scored_at="2026-12-01 10:05:00", **{NOTE: HOSTILE_NOTE}),
                ("amount", "status", "scored_at", NOTE),
            ),
        ),
    )  # fmt: skip


def _events() -> DatasetDiff:
    """Changed only within its floor: a run timestamp and a float sum whose order varies."""
    columns = (
        ColumnDiff("ingested_at", "ingested_at", "timestamp[us]", "timestamp[us]", EVENTS_ROWS,
                   EVENTS_ROWS, 0, 0, transitions_total=EVENTS_ROWS,
                   transitions=(Transition("2026-12-01 09:00:00", "2026-12-01 09:07:12", 1),)),
        ColumnDiff("total", "total", "double", "double", EVENTS_ROWS, 40, 0, 0, max_abs_diff=1e-9,
                   max_rel_diff=1e-15, transitions_total=40,
                   transitions=(Transition("[100, 200)", "[100, 200)", 40),),
                   delta=DeltaDistribution(dist((-1e-9, 0.0, 1e-9), (20, 20), -1e-9, 0.0, 1e-9))),
    )  # fmt: skip
    return DatasetDiff(
        "events", "compared", "prod/events", "cand/events", ("event_id",),
        production_rows=EVENTS_ROWS, candidate_rows=EVENTS_ROWS, matched_rows=EVENTS_ROWS,
        rows_with_differences=EVENTS_ROWS, columns=columns,
    )  # fmt: skip


def _floor() -> tuple[DatasetFloor, ...]:
    return (
        DatasetFloor("orders", ORDERS_MATCHED, ORDERS_MATCHED, columns=(
            ColumnFloor("amount", ORDERS_MATCHED, 0),
            ColumnFloor("score", ORDERS_MATCHED, 310, max_abs_diff=5e-10, max_rel_diff=3e-12),
            ColumnFloor("scored_at", ORDERS_MATCHED, ORDERS_MATCHED, volatile=True),
        )),
        DatasetFloor("events", EVENTS_ROWS, EVENTS_ROWS, columns=(
            ColumnFloor("ingested_at", EVENTS_ROWS, EVENTS_ROWS, volatile=True),
            ColumnFloor("total", EVENTS_ROWS, 45, max_abs_diff=2e-9, max_rel_diff=2e-15),
        )),
    )  # fmt: skip


def _noise_findings() -> list[Finding]:
    return [
        Finding("values", "noise", "orders.score: 300 of 995 rows changed, within the noise floor "
                "(max abs diff 4e-10, baseline 5e-10)", "orders", "score"),
        Finding("values", "noise", "orders.scored_at: 995 of 995 rows changed, volatile in the "
                "baseline too", "orders", "scored_at"),
        Finding("values", "noise", "events.ingested_at: 500 of 500 rows changed, volatile in the "
                "baseline too", "events", "ingested_at"),
        Finding("values", "noise", "events.total: 40 of 500 rows changed, within the noise floor "
                "(max abs diff 1e-09, baseline 2e-09)", "events", "total"),
        Finding("expected_change", "expected", "orders.status: changed as declared (40 rows)",
                "orders", "status"),
        Finding("values", "expected", "orders.status: 40 of 995 rows changed, expected", "orders",
                "status"),
    ]  # fmt: skip


def _record(side: RunSide, sha: str, **rest: Any) -> RunRecord:
    config = "conf/" + "very-long-config-name-" * 3 + ".toml"
    command = ("python", "jobs/score_orders.py", "--input", "data/in", "--output",
               f"runs/r1/{side}", "--config", config)  # fmt: skip
    record = RunRecord(
        side, command, "/srv/pipeline", f"runs/r1/{side}", "succeeded", exit_code=0,
        duration_seconds=10.0, peak_memory_bytes=100 << 20,
        stdout_log=f"runs/r1/logs/{side}.out", stderr_log=f"runs/r1/logs/{side}.err",
        git_sha=sha, counters={"rows_written": 1000.0, "rejected": 3.0},
    )  # fmt: skip
    return replace(record, **rest)


def _run() -> RunComparison:
    return RunComparison(
        "r1", "runs/r1",
        _record("production", "a1b2c3d4e5f60718", git_ref="main"),
        _record("candidate", "0f1e2d3c4b5a6978", git_ref="feature/score-v2", duration_seconds=14.5,
                peak_memory_bytes=120 << 20,
                counters={"rows_written": 1002.0, "rejected": 5.0, "latency_ms": 12.75}),
        baseline=_record("baseline", "a1b2c3d4e5f60718", git_ref="main", duration_seconds=10.4),
    )  # fmt: skip


def rich_run() -> Report:
    """A FAIL with every kind of difference, a baseline run and its noise floor."""
    refunds = DatasetDiff(
        "refunds", "only_in_candidate", None, "cand/refunds", candidate_rows=12,
        only_in_candidate=12,
        only_in_candidate_samples=(RowSample({"refund_id": 1, "amount": 9.5, "reason": SCRIPT}),),
    )  # fmt: skip
    customers = DatasetDiff(
        "customers", "compared", "prod/customers", "cand/customers", ("id",),
        production_rows=800, candidate_rows=800, matched_rows=800, identical=True,
    )  # fmt: skip
    datasets = (_orders(), _events(), customers, refunds)
    amount = "orders.amount: 8.04% of rows changed (80 of 995), limit 0.5%"
    reasons = (
        Reason("changed_rows", "fail", amount, "orders", "amount", 0.0804, 0.005),
        Reason("only_in_production", "fail", "orders: 2 of 1,000 rows only in production (0.2%), "
               "limit 0", "orders", None, 2, 0),
        Reason("only_in_candidate", "fail", "orders: 4 of 1,002 rows only in candidate (0.4%), "
               "limit 0", "orders", None, 4, 0),
        Reason("duplicates", "fail", "orders: 1 of 1 duplicate-key groups differ (100%), limit 0",
               "orders", None, 1, 0),
        Reason("new_datasets", "warn", "refunds: new dataset, only in candidate, 12 rows, not "
               "allowed", "refunds", None, "new", "not allowed"),
        Reason("duration", "warn", "candidate run 45% slower (14.5 s, production 10.0 s), limit "
               "+20%", None, None, 0.45, 0.2),
    )  # fmt: skip
    findings = [
        Finding("values", "unexpected", amount, "orders", "amount"),
        Finding("values", "tolerated", "orders.discount: 0.2% of rows changed (2 of 995), within "
                "limit 0.5%", "orders", "discount"),
        Finding("values", "tolerated", f"orders.{NOTE}: 0.1% of rows changed (1 of 995), within "
                "limit 0.5%", "orders", NOTE),
        *_noise_findings(),
        Finding("rows_only_in_production", "unexpected", reasons[1].message, "orders"),
        Finding("rows_only_in_candidate", "unexpected", reasons[2].message, "orders"),
        Finding("duplicates", "unexpected", reasons[3].message, "orders"),
        Finding("dataset_added", "unexpected", reasons[4].message, "refunds"),
        Finding("counter", "tolerated", "counter rows_written: +0.2%, within limit 1%"),
        Finding("duration", "unexpected", reasons[5].message),
    ]  # fmt: skip
    return Report(
        "main", "feature/score-v2", datasets, Verdict("FAIL", reasons, tuple(findings)),
        command="run", run=_run(), tool_version="0.0.0-golden", baseline="main (again)",
        floor=_floor(),
    )  # fmt: skip


def noise_compare() -> Report:
    """A compare with --baseline that passes: its differences are noise and one expected change."""
    events = _events()
    orders = _orders()
    kept = tuple(c for c in orders.columns if c.name in ("status", "score", "scored_at"))
    orders = DatasetDiff(
        "orders", "compared", "prod/orders", "cand/orders", ("order_id",),
        production_rows=ORDERS_MATCHED, candidate_rows=ORDERS_MATCHED, matched_rows=ORDERS_MATCHED,
        rows_with_differences=ORDERS_MATCHED, columns=kept, row_samples=orders.row_samples[:1],
    )  # fmt: skip
    return Report(
        "prod", "cand", (orders, events), Verdict("PASS", (), tuple(_noise_findings())),
        tool_version="0.0.0-golden", baseline="prod_rerun", floor=_floor(),
    )  # fmt: skip


def error_run() -> Report:
    """Production failed: nothing could be compared, the verdict is ERROR (not FAIL)."""
    run = _run()
    failed = _record(
        "production", "a1b2c3d4e5f60718", status="failed", exit_code=3, duration_seconds=2.0,
        stderr_tail=("Traceback (most recent call last):", f"ValueError: bad row {SCRIPT} {ESC}"),
        tail_log="runs/r1/logs/production.err", counters={},
    )  # fmt: skip
    run = RunComparison(run.run_id, run.run_dir, failed, run.candidate, baseline=run.baseline)
    message = (
        "production run failed with exit code 3, so nothing can be compared; "
        "see its log 'runs/r1/logs/production.err'"
    )
    verdict = Verdict(
        "ERROR", (Reason("run", "error", message, measured="failed", limit="succeeded"),)
    )
    return Report("main", "feature/score-v2", (), verdict, command="run", run=run,
                  tool_version="0.0.0-golden", baseline="main (again)")  # fmt: skip


REPORTS = {"run": rich_run, "noise": noise_compare, "error": error_run}


def check_counts(report: Report) -> None:
    """The invariants every rich report keeps (the renderers' tests rely on them)."""
    for d in report.datasets:
        if d.status != "compared":
            continue
        dup = d.duplicates
        assert (
            d.production_rows == d.matched_rows + d.only_in_production + dup.production_group_rows
        )
        assert d.candidate_rows == d.matched_rows + d.only_in_candidate + dup.candidate_group_rows
        for c in d.columns:
            assert c.compared == d.matched_rows
            assert c.unequal <= d.rows_with_differences <= d.matched_rows
            assert sum(t.count for t in c.transitions) <= c.unequal
            assert len(c.transitions) <= c.transitions_total
            assert c.null_to_value + c.value_to_null <= c.unequal
            for s in c.segments:
                assert s.changed_total == c.unequal
                assert s.matched_total == d.matched_rows
            if c.delta is not None:
                assert c.delta.absolute.count == sum(c.delta.absolute.histogram)
                assert c.delta.absolute.count <= c.unequal - c.value_to_null - c.null_to_value

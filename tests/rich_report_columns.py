"""The changed columns of the rich reports (tests/rich_report.py), and the constants their counts
and hostile strings come from: amount (binned transitions, value -> null, delta, segments), status
(string transitions), discount, score (noise), scored_at (volatile) and the hostile NOTE column."""

from __future__ import annotations

from dataops_diff.model import (
    ColumnDiff,
    ColumnShift,
    DeltaDistribution,
    Distribution,
    JSONValue,
    Profile,
    Segment,
    Transition,
    ValueSample,
)

SCRIPT = "<script>alert(1)</script>"
MARKUP = "[bold red]boom[/bold red]"
ESC = "\x1b[31m"
RLO = "\u202e"
NOTE = "note [b]x[/b] | `y`"  # a column name that is rich markup and Markdown
CHANNEL = "web|app `x`"
LONG = "lorem-" * 40 + "END"  # 243 characters: longer than any terminal line
HOSTILE_NOTE = f"{SCRIPT} | `rm -rf` {MARKUP} {ESC}red{RLO}gnp.exe"

ORDERS_MATCHED = 995
ORDERS_PRODUCTION_ROWS = 1000  # 995 matched + 2 only in production + 3 in duplicate-key groups
ORDERS_CANDIDATE_ROWS = 1002  # 995 matched + 4 only in candidate + 3 in duplicate-key groups
AMOUNT_CHANGED = 80
AMOUNT_VALUE_TO_NULL = 14
STATUS_CHANGED = 40
EVENTS_ROWS = 500


def dist(
    edges: tuple[float, ...], hist: tuple[int, ...], lo: float, mid: float, hi: float
) -> Distribution:
    return Distribution(sum(hist), edges, hist, lo, mid, hi)


def _seg(column: str, value: JSONValue, changed: int, of: int, matched: int) -> Segment:
    return Segment(column, value, changed, of, matched, ORDERS_MATCHED)


def orders_columns() -> tuple[ColumnDiff, ...]:
    profile = Profile(rows=ORDERS_MATCHED, nulls=0)
    amount = ColumnDiff(
        "amount", "amount", "double", "double", ORDERS_MATCHED, AMOUNT_CHANGED, 0,
        AMOUNT_VALUE_TO_NULL, max_abs_diff=12.5, max_rel_diff=0.375, abs_tol=0.01,
        samples=(
            ValueSample({"order_id": 17}, 12.5, 25.0), ValueSample({"order_id": 42}, 23.0, None),
        ),
        shift=ColumnShift(profile, profile, psi=0.04, ks=0.06),
        transitions=(
            Transition("[10, 20)", "[20, 30)", 30), Transition("[0, 10)", "[10, 20)", 22),
            Transition("[20, 30)", None, AMOUNT_VALUE_TO_NULL),
            Transition("[10, 20)", "[10, 20)", 8),
            Transition("[30, 40)", "[40, 50)", 3),
        ),
        transitions_total=7,  # the 5 shown hold 77 of the 80 changed rows
        # over the 66 changed rows with a number on both sides (80 - 14 value -> null)
        delta=DeltaDistribution(
            dist((-5.0, 0.0, 5.0, 10.0, 15.0), (4, 40, 18, 4), -3.5, 1.25, 12.5),
            dist((-0.5, 0.0, 0.5, 1.0), (4, 58, 4), -0.2, 0.08, 0.6),
        ),
        segments=(
            _seg("country", "DE", 70, AMOUNT_CHANGED, 200),  # 87.5% vs 20.1%: 4.35x
            _seg("channel", CHANNEL, 30, AMOUNT_CHANGED, 150),  # 37.5% vs 15.1%: 2.49x
            _seg("day", "2024-01-02", 50, AMOUNT_CHANGED, 331),  # hive partition: 1.88x
        ),
    )  # fmt: skip
    status = ColumnDiff(
        "status", "status", "string", "string", ORDERS_MATCHED, STATUS_CHANGED, 2, 5,
        samples=(ValueSample({"order_id": 17}, "High", "Low"),),
        transitions=(
            Transition("High", "Low", 12), Transition("Medium", "High", 9),
            Transition("pending", None, 5), Transition(SCRIPT, "Low", 3),
            Transition(None, "Low", 2),
        ),
        transitions_total=8,  # the 5 shown hold 31 of the 40 changed rows
        segments=(_seg("country", "FR", 22, STATUS_CHANGED, 180),),  # 55% vs 18.1%: 3.04x
    )  # fmt: skip
    discount = ColumnDiff(
        "discount", "discount", "double", "double", ORDERS_MATCHED, 2, 0, 0, max_abs_diff=0.05,
        max_rel_diff=0.333, transitions=(Transition("[0, 0.1)", "[0.1, 0.2)", 2),),
        transitions_total=1,
        delta=DeltaDistribution(dist((0.04, 0.06), (2,), 0.05, 0.05, 0.05)),
    )  # fmt: skip
    score = ColumnDiff(
        "score", "score", "double", "double", ORDERS_MATCHED, 300, 0, 0, max_abs_diff=4e-10,
        max_rel_diff=2e-12,
        transitions=(
            Transition("[0.5, 0.6)", "[0.5, 0.6)", 120), Transition("[0.9, 1)", "[0.9, 1)", 90),
        ),
        transitions_total=10,
        delta=DeltaDistribution(dist((-4e-10, 0.0, 4e-10), (150, 150), -4e-10, 0.0, 4e-10)),
    )  # fmt: skip
    scored_at = ColumnDiff(
        "scored_at", "scored_at", "timestamp[us]", "timestamp[us]", ORDERS_MATCHED,
        ORDERS_MATCHED, 0, 0,
        transitions=(
            Transition("2026-12-01 10:00:00", "2026-12-01 10:05:00", 1),
            Transition("2026-12-01 10:00:01", "2026-12-01 10:05:01", 1),
        ),
        transitions_total=ORDERS_MATCHED,
    )  # fmt: skip
    note = ColumnDiff(
        NOTE, NOTE, "string", "string", ORDERS_MATCHED, 1, 0, 0,
        samples=(ValueSample({"order_id": 42}, LONG, HOSTILE_NOTE),),
        transitions=(Transition(LONG, HOSTILE_NOTE, 1),), transitions_total=1,
    )  # fmt: skip
    return amount, status, discount, score, scored_at, note

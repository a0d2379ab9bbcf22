"""What explains a changed column (issue 16), for every engine: value transitions, the
distribution of the change, the segments where changed rows concentrate, and whole rows.

An engine hands over a relation of changed rows (``sql.explain.changed_rows``) and its query
functions; the passes read only that relation, but for the segments' base counts (one grouped
scan of production over the few segment columns that have a candidate value). Rules and
thresholds: ``explain_values``; docs/semantics.md, "What explains a change".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..datasets import DatasetRef
from ..model import (
    ColumnDiff,
    DeltaDistribution,
    Distribution,
    FullRowSample,
    JSONValue,
    Segment,
    Transition,
)
from ..spec import DatasetSpec
from . import explain_values as rules
from .plan import Plan
from .results import jsonable
from .sql import explain as sql
from .sql.dialect import Dialect

Rows = Callable[[str, str], list[dict[str, Any]]]  # (phase, query) -> rows by column name
BATCH = 48  # columns per query: one query over hundreds of columns costs the planner dearly


@dataclass(frozen=True)
class Source:
    """Where the explanation reads: the engine's query function and dialect, the relation of
    changed rows, production's relation (segment base counts) and dataset (hive keys)."""

    rows: Rows
    d: Dialect
    changed: str  # the changed columns of the changed rows (``sql.explain.changed_rows``)
    full: str  # every compared column of (at least) the first changed rows by key
    production: str
    production_ref: DatasetRef
    # segment columns -> the changed rows with production's value of each (``__xs{j}``)
    segment_rows: Callable[[list[int]], str]


def explain(
    src: Source, plan: Plan, spec: DatasetSpec, columns: tuple[ColumnDiff, ...], matched: int,
    segments: bool,
) -> tuple[tuple[ColumnDiff, ...], tuple[FullRowSample, ...]]:  # fmt: skip
    """The columns with their explanation filled in, and the first full-row samples.
    ``segments``: whether to attribute changes to segments (profiles on, keys unique)."""
    changed = [i for i, c in enumerate(columns) if c.unequal]
    if not changed:
        return columns, ()
    numeric = [i for i in changed if plan.compared[i].numeric]
    stats: dict[str, Any] = {}
    for part in _chunks(numeric):
        stats.update(src.rows("explaining changes", sql.stats(src.d, plan, src.changed, part))[0])
    bins = {i: b for i in numeric if (b := _bins(stats, i)) is not None}
    found = _transitions(src, plan, changed, bins)
    deltas = _deltas(src, plan, numeric, stats)
    found_segments = _segments(src, plan, columns, changed, matched) if segments else {}
    out = list(columns)
    for i in changed:
        pairs, total = found.get(i, ((), 0))
        out[i] = replace(
            columns[i],
            transitions=pairs,
            transitions_total=total,
            delta=deltas.get(i),
            segments=found_segments.get(i, ()),
        )
    return tuple(out), _row_samples(src, plan, spec.samples)


def _chunks(items: Sequence[Any], size: int = BATCH) -> list[list[Any]]:
    return [list(items[a : a + size]) for a in range(0, len(items), size)]


def _bins(stats: dict[str, Any], i: int) -> tuple[float, float] | None:
    """(origin, step) of a numeric column whose changed values are continuous, else None."""
    if max(int(stats[f"dp{i}"] or 0), int(stats[f"dc{i}"] or 0)) <= rules.CONTINUOUS:
        return None
    ends = [float(v) for v in (stats[f"lop{i}"], stats[f"loc{i}"], stats[f"hip{i}"],
                               stats[f"hic{i}"]) if v is not None]  # fmt: skip
    if not ends:
        return None
    origin, step, _ = rules.nice_bins(min(ends), max(ends))
    return origin, step


def _transitions(
    src: Source, plan: Plan, changed: list[int], bins: dict[int, tuple[float, float]]
) -> dict[int, tuple[tuple[Transition, ...], int]]:
    d = src.d
    branches = []
    for i in changed:
        pair = plan.compared[i]
        if i in bins:
            origin, step = bins[i]
            pe = sql.bin_index(d, f"__xp{i}", origin, step)
            ce = sql.bin_index(d, f"__xc{i}", origin, step)
            branches.append((i, pe, ce, d.text("__op"), d.text("__oc")))
        elif "other" in (pair.production_category, pair.candidate_category):
            # nested values (a Spark map cannot be grouped or ordered): grouped as their text
            pe = sql.value_text(d, f"__xp{i}", pair.production_category, pair.production_type)
            ce = sql.value_text(d, f"__xc{i}", pair.candidate_category, pair.candidate_type)
            branches.append((i, pe, ce, "__op", "__oc"))
        else:
            p_text = sql.value_text(d, "__op", pair.production_category, pair.production_type)
            c_text = sql.value_text(d, "__oc", pair.candidate_category, pair.candidate_type)
            branches.append((i, f"__xp{i}", f"__xc{i}", p_text, c_text))
    found: dict[int, list[tuple[int, Transition]]] = {i: [] for i in changed}
    p: JSONValue
    c: JSONValue
    totals: dict[int, int] = {}
    for part in _chunks(branches):
        query = sql.transitions(src.changed, part, rules.TRANSITIONS)
        for r in src.rows("explaining changes", query):
            i = int(r["__set"])
            pair = plan.compared[i]
            if i in bins:
                origin, step = bins[i]
                p = rules.bin_label(_int(r["p"]), origin, step)
                c = rules.bin_label(_int(r["c"]), origin, step)
            else:
                p = rules.from_text(r["p"], pair.production_category)
                c = rules.from_text(r["c"], pair.candidate_category)
            found[i].append((int(r["r"]), Transition(p, c, int(r["n"]))))
            totals[i] = int(r["total"])
    # the union's rows come in any order: put back in the order the query ranked them
    return {i: (tuple(t for _, t in sorted(ts)), totals.get(i, 0)) for i, ts in found.items()}


def _int(text: Any) -> int | None:
    return None if text is None else int(text)


def _deltas(
    src: Source, plan: Plan, numeric: list[int], stats: dict[str, Any]
) -> dict[int, DeltaDistribution]:
    """Histograms of the absolute and relative change on ``DELTA_BINS`` equal bins from the
    exact minimum to the exact maximum."""
    branches, edges = [], {}
    for i in numeric:
        ok, dd, rel_ok, rel = sql.deltas(src.d, plan, i)
        for tag, cond, expr in (("a", ok, dd), ("r", rel_ok, rel)):
            if not int(stats[f"{tag}n{i}"]):
                continue
            low, high = float(stats[f"{tag}min{i}"]), float(stats[f"{tag}max{i}"])
            width = high / rules.DELTA_BINS - low / rules.DELTA_BINS  # never overflows
            bins = rules.DELTA_BINS if width > 0 else 1
            branches.append((i, tag, cond, expr, low, width, bins))
            edges[(i, tag)] = (*(low + b * width for b in range(bins)), high)
    counts: dict[tuple[int, str], dict[int, int]] = {}
    for part in _chunks(branches):
        for r in src.rows("explaining changes", sql.histograms(src.d, src.changed, part)):
            counts.setdefault((int(r["__set"]), r["kind"]), {})[int(r["bin"])] = int(r["n"])
    out: dict[int, DeltaDistribution] = {}
    for i in numeric:
        made = {}
        for tag in ("a", "r"):
            n = int(stats[f"{tag}n{i}"])
            if not n:
                made[tag] = Distribution(count=0)
                continue
            e = edges[(i, tag)]
            found = counts.get((i, tag), {})
            made[tag] = Distribution(
                count=n,
                bin_edges=tuple(float(x) for x in e),
                histogram=tuple(found.get(b, 0) for b in range(len(e) - 1)),
                min=float(stats[f"{tag}min{i}"]),
                median=float(stats[f"{tag}med{i}"]),
                max=float(stats[f"{tag}max{i}"]),
            )
        if made["a"].count:  # else no changed row has numbers on both sides: no delta
            out[i] = DeltaDistribution(made["a"], made["r"] if made["r"].count else None)
    return out


def _segments(
    src: Source, plan: Plan, columns: tuple[ColumnDiff, ...], changed: list[int], matched: int
) -> dict[int, tuple[Segment, ...]]:
    """Per changed column, the segments of ``explain_values.pick_segments``: changed counts from
    the changed rows; base counts (matched rows) = production's rows less those only in it."""
    d = src.d
    distinct = [c.shift.production.distinct if c.shift else None for c in columns]
    partitions = rules.hive_keys(src.production_ref.path, src.production_ref.files)
    candidates = rules.segment_columns(plan.compared, distinct, partitions)
    if not candidates:
        return {}

    def text(j: int, expr: str) -> str:
        pair = plan.compared[j]
        return sql.value_text(d, expr, pair.production_category, pair.production_type)

    per: dict[tuple[int, str | None], dict[int, int]] = {}
    only: dict[tuple[int, str | None], int] = {}
    relation = src.segment_rows(candidates)
    for segs in _chunks([(j, text(j, f"__xs{j}")) for j in candidates]):
        for cols in _chunks(changed):
            query = sql.segment_counts(d, relation, segs, cols)
            for r in src.rows("explaining changes", query):
                key = (int(r["__set"]), r["v"])
                per.setdefault(key, {}).update({i: int(r[f"n{i}"]) for i in cols})
                only[key] = int(r["only"])
    wanted = {
        (j, v, i)
        for (j, v), counts in per.items()
        for i, n in counts.items()
        if i != j and n >= rules.SEGMENT_ROWS and n >= rules.SEGMENT_SHARE * columns[i].unequal
    }
    needed = sorted({j for j, _, _ in wanted})
    base: dict[tuple[int, str | None], int] = {}
    for segs in _chunks([(j, text(j, d.q(plan.sql_name("production", plan.compared[j].name))))
                         for j in needed]):  # fmt: skip
        for r in src.rows("explaining changes", sql.segment_base(src.production, segs)):
            base[(int(r["__set"]), r["v"])] = int(r["n"])
    found: dict[int, list[Segment]] = {}
    for j, v, i in wanted:
        pair = plan.compared[j]
        found.setdefault(i, []).append(
            Segment(
                column=pair.name,
                value=rules.from_text(v, pair.production_category),
                changed_rows=per[(j, v)][i],
                changed_total=columns[i].unequal,
                matched_rows=base.get((j, v), 0) - only.get((j, v), 0),
                matched_total=matched,
            )
        )
    order = {p.name: j for j, p in enumerate(plan.compared)}
    return {i: rules.pick_segments(s, order) for i, s in found.items()}


def _row_samples(src: Source, plan: Plan, n: int) -> tuple[FullRowSample, ...]:
    if not n:
        return ()
    out = []
    for r in src.rows("fetching samples", sql.row_samples(src.d, plan, src.full, n)):
        out.append(
            FullRowSample(
                key={k.name: jsonable(r[f"k{i}"]) for i, k in enumerate(plan.keys)},
                production={p.name: jsonable(r[f"p{i}"]) for i, p in enumerate(plan.compared)},
                candidate={p.name: jsonable(r[f"c{i}"]) for i, p in enumerate(plan.compared)},
                changed=tuple(p.name for i, p in enumerate(plan.compared) if not r[f"e{i}"]),
            )
        )
    return tuple(out)

"""Invariants of a diff, on small generated tables (hypothesis).

- diff(t, t) is clean;
- the order of rows never matters (samples are ordered by key, so whole diffs are equal);
- swapping the sides swaps everything that has a side, and nothing else.

Tables have nullable int64 keys from a small range (so keys repeat and overlap between sides),
nullable int64 (full range), float64 (NaN, -0.0, ±inf) and unicode string columns. Run more
examples with ``HYPOTHESIS_PROFILE=dataops-diff-thorough``.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from conformance import engine_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dataops_diff.datasets import open_dataset
from dataops_diff.model import (
    ColumnShift,
    DatasetDiff,
    Duplicates,
    SchemaDiff,
    TypeChange,
    ValueSample,
)
from dataops_diff.spec import DatasetSpec

settings.register_profile(
    "dataops-diff",
    max_examples=30,
    deadline=None,
    derandomize=True,  # the same examples on every CI run
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dataops-diff-thorough", parent=settings.get_profile("dataops-diff"),
                          max_examples=500, derandomize=False)  # fmt: skip
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "dataops-diff"))

Row = tuple[Any, ...]
SCHEMA = pa.schema([("i", pa.int64()), ("f", pa.float64()), ("s", pa.string())])
NAN, INF = float("nan"), float("inf")
WHITESPACE = " \t\n\r\x0b\x0c"  # what --ignore-spaces trims

# Keys come from small sets, so they repeat (duplicates) and overlap between the sides; string
# keys also collide once --ignore-case / --ignore-spaces fold them.
KEYS = {
    "int": (pa.int64(), st.one_of(st.none(), st.integers(0, 6))),
    "str": (pa.string(), st.one_of(st.none(), st.sampled_from(["a", "A", " a", "a\t", "b", "B ",
                                                               "É", "é", ""]))),
}  # fmt: skip
ints = st.one_of(st.none(), st.integers(-3, 3), st.integers(-(2**63), 2**63 - 1))
floats = st.one_of(
    st.none(),
    st.sampled_from([0.0, -0.0, NAN, INF, -INF, 1.5, 1.625]),
    st.floats(allow_nan=True, allow_infinity=True),
)
strings = st.one_of(
    st.none(),
    st.sampled_from(["", " ", "a", "A", " a", "a\t", "É", "é", "[/bold]", 'q"uote', "ß"]),
    st.text(max_size=4),
)


@st.composite
def tables(draw: st.DrawFn, keys: str = "int") -> list[Row]:
    unique = draw(st.booleans())
    rows = st.tuples(KEYS[keys][1], ints, floats, strings)
    return draw(st.lists(rows, max_size=10, unique_by=(lambda r: r[0]) if unique else None))


specs = st.builds(
    DatasetSpec,
    key=st.just(("k",)),
    abs_tol=st.sampled_from([0.0, 0.5]),
    rel_tol=st.sampled_from([0.0, 0.125]),
    ignore_case=st.booleans(),
    ignore_spaces=st.booleans(),
    samples=st.sampled_from([0, 1, 3, 10]),
)


def _table(data: list[Row], keys: str = "int", extra: bool = False) -> pa.Table:
    schema = pa.schema([("k", KEYS[keys][0]), *SCHEMA])
    columns = list(zip(*data, strict=True)) if data else [()] * len(schema)
    table = pa.table([pa.array(c, f.type) for c, f in zip(columns, schema, strict=True)], schema)
    return table.append_column("x", pa.array([1] * len(data), pa.int64())) if extra else table


def fold(key: Any, spec: DatasetSpec) -> Any:
    """A key as the comparison sees it."""
    if isinstance(key, str):
        key = key.strip(WHITESPACE) if spec.ignore_spaces else key
        key = key.lower() if spec.ignore_case else key
    return key


def diff(
    production: pa.Table, candidate: pa.Table, spec: DatasetSpec, same_bytes: bool = False
) -> DatasetDiff:
    """Compare two tables written as Parquet; unless ``same_bytes``, the files differ in bytes."""
    with tempfile.TemporaryDirectory() as folder:
        p, c = Path(folder, "p.parquet"), Path(folder, "c.parquet")
        pq.write_table(production, p)
        pq.write_table(candidate, c, **({} if same_bytes else {"compression": "zstd"}))
        result = engine_for("duckdb").diff(
            open_dataset(str(p), "production", name="t"),
            open_dataset(str(c), "candidate", name="t"),
            spec,
        )
    return replace(result, production_path="production", candidate_path="candidate")


def swapped(d: DatasetDiff) -> DatasetDiff:
    """What ``d`` says when production and candidate trade places (paths are normalised)."""
    dup, schema = d.duplicates, d.schema
    return replace(
        d,
        production_rows=d.candidate_rows,
        candidate_rows=d.production_rows,
        only_in_production=d.only_in_candidate,
        only_in_candidate=d.only_in_production,
        null_key_rows_production=d.null_key_rows_candidate,
        null_key_rows_candidate=d.null_key_rows_production,
        duplicates=Duplicates(
            dup.candidate_keys,
            dup.candidate_rows,
            dup.production_keys,
            dup.production_rows,
            dup.groups,
            dup.groups_differing,
            dup.candidate_rows_unmatched,
            dup.production_rows_unmatched,
            dup.candidate_group_rows,
            dup.production_group_rows,
            tuple(ValueSample(s.key, s.candidate, s.production) for s in dup.samples),
        ),
        schema=SchemaDiff(
            only_in_production=schema.only_in_candidate,
            only_in_candidate=schema.only_in_production,
            type_changes=tuple(
                TypeChange(t.column, t.candidate_type, t.production_type)
                for t in schema.type_changes
            ),
        ),
        columns=tuple(
            replace(
                c,
                production_type=c.candidate_type,
                candidate_type=c.production_type,
                null_to_value=c.value_to_null,
                value_to_null=c.null_to_value,
                samples=tuple(ValueSample(s.key, s.candidate, s.production) for s in c.samples),
                shift=swapped_shift(c.shift),
            )
            for c in d.columns
        ),
        only_in_production_samples=d.only_in_candidate_samples,
        only_in_candidate_samples=d.only_in_production_samples,
        key_shifts=tuple((name, swapped_shift(s)) for name, s in d.key_shifts),
    )


def unexplained(d: DatasetDiff) -> DatasetDiff:
    """``d`` without what explains a change, which is measured from production (deltas turn
    sign and divide by production; segments and full rows are production's values)."""
    columns = tuple(
        replace(c, transitions=(), transitions_total=0, delta=None, segments=()) for c in d.columns
    )
    return replace(d, columns=columns, row_samples=())


def swapped_shift(s: ColumnShift | None) -> Any:
    """Profiles trade places; PSI, KS and TVD are symmetric; the null-share change turns sign."""
    if s is None:
        return None
    change = None if s.null_share_change is None else -s.null_share_change
    return replace(s, production=s.candidate, candidate=s.production, null_share_change=change)


@settings(PROFILE)
@given(st.sampled_from(list(KEYS)), st.data(), specs, st.booleans())
def test_diff_with_itself_is_clean(
    keys: str, draw: st.DataObject, spec: DatasetSpec, same_bytes: bool
) -> None:
    data = draw.draw(tables(keys))
    t = _table(data, keys)
    d = diff(t, t, spec, same_bytes)
    counts = Counter(fold(r[0], spec) for r in data)
    assert not d.has_differences
    assert d.identical is same_bytes
    assert (d.only_in_production, d.only_in_candidate, d.rows_with_differences) == (0, 0, 0)
    assert d.matched_rows == sum(1 for n in counts.values() if n == 1)
    assert d.null_key_rows_production == d.null_key_rows_candidate == counts[None]
    assert d.duplicates.groups == sum(1 for n in counts.values() if n > 1)
    assert d.duplicates.groups_differing == 0
    assert all(c.unequal == 0 and not c.samples for c in d.columns)
    assert not d.only_in_production_samples
    assert not d.only_in_candidate_samples


@settings(PROFILE)
@given(st.sampled_from(list(KEYS)), st.data(), specs, st.randoms(use_true_random=False))
def test_row_order_never_matters(
    keys: str, draw: st.DataObject, spec: DatasetSpec, rnd: Any
) -> None:
    production, candidate = draw.draw(tables(keys)), draw.draw(tables(keys))
    p, c = _table(production, keys), _table(candidate, keys)
    expected = diff(p, c, spec)
    shuffled_p, shuffled_c = production[:], candidate[:]
    rnd.shuffle(shuffled_p)
    rnd.shuffle(shuffled_c)
    assert diff(_table(shuffled_p, keys), c, spec) == expected
    assert diff(p, _table(shuffled_c, keys), spec) == expected


@settings(PROFILE)
@given(tables(), tables(), specs, st.booleans())
def test_swapping_sides_swaps_only_sides(
    production: list[Row], candidate: list[Row], spec: DatasetSpec, extra: bool
) -> None:
    p, c = _table(production), _table(candidate, extra=extra)
    forward = diff(p, c, spec)
    backward = diff(c, p, spec)
    assert unexplained(backward) == unexplained(swapped(forward))
    for f, b in zip(forward.columns, backward.columns, strict=True):  # distinct pairs: symmetric
        assert b.transitions_total == f.transitions_total
        if f.transitions_total <= len(f.transitions):  # every pair shown: the same, reversed
            assert {(t.candidate, t.production, t.count) for t in f.transitions} == {
                (t.production, t.candidate, t.count) for t in b.transitions
            }
    assert forward.only_in_production == sum(
        1 for r in production if r[0] not in {s[0] for s in candidate}
    )
    # Every row is matched, on one side only, or in a duplicate-key group: the figures add up.
    dup = forward.duplicates
    assert forward.production_rows == len(production)
    assert forward.candidate_rows == len(candidate)
    assert len(production) == forward.matched_rows + forward.only_in_production + (
        dup.production_group_rows
    )
    assert len(candidate) == forward.matched_rows + forward.only_in_candidate + (
        dup.candidate_group_rows
    )
    assert len(dup.samples) == (min(dup.groups_differing, spec.samples))


def test_swapped_is_an_involution() -> None:
    t = _table([(1, 1, 1.0, "a"), (1, 2, NAN, None), (2, None, -0.0, "b")])
    u = _table([(1, 1, 1.0, "A"), (3, 2, INF, "x")], extra=True)
    d = diff(t, u, DatasetSpec(key=("k",), ignore_case=True))
    assert d.schema.only_in_candidate
    assert swapped(swapped(d)) == d

"""Rows from data for the HTML report: cells (the differing part marked), whole-row samples of
matched rows, rows on one side only and duplicate-key groups, each saying "showing N of M".

Plain text only: the templates escape every string (jinja2 autoescape), so nothing here is markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import DatasetDiff, FullRowSample, JSONValue, RowSample
from .summary import group_fields, group_side_rows, value_text

MAX_SAMPLES = 10  # rows per sample table
MAX_ROW_COLUMNS = 40  # columns of a row sample (changed columns first)
MAX_CELL = 120  # characters of a value shown in a cell (the title holds up to MAX_TITLE)
MAX_TITLE = 500


@dataclass(frozen=True)
class Cell:
    """A value from data, split for highlighting: ``pre`` + marked ``mid`` + ``post``."""

    pre: str
    mid: str
    post: str
    title: str
    null: bool = False


def cell(value: JSONValue, other: JSONValue = None, highlight: bool = False) -> Cell:
    """A value as text; with ``highlight``, the part that differs from ``other`` is marked."""
    text = value_text(value, None)
    title = text[:MAX_TITLE]
    if value is None:
        return Cell("", "null" if highlight else "", "" if highlight else "null", title, True)
    if not highlight:
        return Cell(cut(text, MAX_CELL), "", "", title)
    if not (isinstance(value, str) and isinstance(other, str)):
        return Cell("", cut(text, MAX_CELL), "", title)
    start = 0
    while start < min(len(value), len(other)) and value[start] == other[start]:
        start += 1
    end = 0
    limit = min(len(value), len(other)) - start
    while end < limit and value[-1 - end] == other[-1 - end]:
        end += 1
    pre, mid, post = value[:start], value[start : len(value) - end], value[len(value) - end :]
    pre = pre if len(pre) <= 30 else "…" + pre[-29:]
    return Cell(pre, cut(mid, MAX_CELL - 60) or "", cut(post, 30), title)


def cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def showing(shown: int, total: int | None, what: str) -> str:
    """``showing 10 of 1,234 rows``: every bounded list says how much it left out."""
    of = "" if total is None else f" of {total:,}"
    return f"showing {shown:,}{of} {what}"


@dataclass(frozen=True)
class RowTable:
    """Whole rows of one version (rows only in it, or a dataset the other version lacks)."""

    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    shown: str  # "showing 10 of 75 rows · 40 of 55 columns"


def row_table(samples: tuple[RowSample, ...], key: tuple[str, ...], total: int) -> RowTable:
    names: list[str] = [k for k in key if any(k in s.values for s in samples)]
    for s in samples:
        names.extend(n for n in s.values if n not in names)
    headers = names[:MAX_ROW_COLUMNS]
    rows = tuple(tuple(cell(s.values.get(n)) for n in headers) for s in samples[:MAX_SAMPLES])
    text = showing(len(rows), max(total, len(samples)), "rows")
    if len(names) > len(headers):
        text += f" · {len(headers)} of {len(names)} columns"
    return RowTable(tuple(headers), rows, text)


@dataclass(frozen=True)
class GroupTable:
    """The first differing duplicate-key groups: key columns, the version, then row columns."""

    keys: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[tuple[Cell, ...], str, tuple[Cell, ...]], ...]  # (key, version, values)
    shown: int  # groups shown
    total: int  # groups that differ
    more_columns: int


def group_table(d: DatasetDiff) -> GroupTable | None:
    dup = d.duplicates
    if not dup.samples:
        return None
    groups = dup.samples[:MAX_SAMPLES]
    keys = list(groups[0].key)
    fields: list[str] = []
    for g in groups:
        for side in (g.production, g.candidate):
            fields += [f for f in group_fields(group_side_rows(side)) if f not in fields]
    fields = [f for f in fields if f not in keys]
    shown = fields[:MAX_ROW_COLUMNS]
    rows = tuple(
        (tuple(cell(g.key.get(k)) for k in keys), side, tuple(cell(r.get(f)) for f in shown))
        for g in groups
        for side, value in (("production", g.production), ("candidate", g.candidate))
        for r in group_side_rows(value)[:MAX_SAMPLES]
    )
    total = max(dup.groups_differing, len(dup.samples))
    return GroupTable(tuple(keys), tuple(shown), rows, len(groups), total, len(fields) - len(shown))


@dataclass(frozen=True)
class FullRow:
    key: tuple[Cell, ...]
    production: tuple[Cell, ...]
    candidate: tuple[Cell, ...]
    changed: tuple[bool, ...]  # per shown column: the cells to highlight


@dataclass(frozen=True)
class FullRows:
    """Matched rows whose values differ, whole: every compared column of both versions."""

    keys: tuple[str, ...]
    columns: tuple[str, ...]  # columns that changed in a shown row first, then the others
    rows: tuple[FullRow, ...]
    shown: str


def _full_columns(d: DatasetDiff, samples: tuple[FullRowSample, ...]) -> list[str]:
    changed = {c for s in samples for c in s.changed}
    names: list[str] = [c.name for c in d.columns if c.name in changed]
    names += sorted(changed - set(names))
    for s in samples:
        for side in (s.production, s.candidate):
            names.extend(n for n in side if n not in names and n not in s.key)
    return names


def full_rows(d: DatasetDiff) -> FullRows | None:
    if not d.row_samples:
        return None
    samples = d.row_samples[:MAX_SAMPLES]
    keys = tuple(samples[0].key)
    names = _full_columns(d, samples)
    columns = names[:MAX_ROW_COLUMNS]
    rows = []
    for s in samples:
        flags = tuple(n in s.changed for n in columns)
        p, c = s.production, s.candidate
        rows.append(FullRow(
            tuple(cell(s.key.get(k)) for k in keys),
            tuple(cell(p.get(n), c.get(n), f) for n, f in zip(columns, flags, strict=True)),
            tuple(cell(c.get(n), p.get(n), f) for n, f in zip(columns, flags, strict=True)),
            flags,
        ))  # fmt: skip
    text = showing(len(rows), max(d.rows_with_differences, len(d.row_samples)), "rows")
    if len(names) > len(columns):
        text += f" · {len(columns)} of {len(names)} columns, changed first"
    return FullRows(keys, tuple(columns), tuple(rows), text)

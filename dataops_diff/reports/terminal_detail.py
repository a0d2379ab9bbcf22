"""The terminal's detail of one dataset: schema, rows, duplicate groups, changed columns (each
with its transitions, the distribution of the change, the top segment and its noise floor) and
whole changed rows.

Rows and full values wrap (a row sample shows every value whole); one-line explanations cut a
value with a visible ``…``.
"""

from __future__ import annotations

from rich import box
from rich.console import Group, JustifyMethod, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ..humanize import visible
from ..model import ColumnDiff, DatasetDiff, Duplicates, JSONValue, Report, RowSample
from . import columns as w
from .summary import classification, group_fields, group_side_rows, one_side, row_sums, value_text

MAX_COLUMNS = 15
MAX_EXPLAINED = 5  # changed columns explained line by line
MAX_SAMPLES = 3

Part = RenderableType


def text(value: str, style: str = "") -> Text:
    """Text from data, shown as typed: never markup (a Text), control characters as escapes."""
    return Text(visible(value), style=style)


def table_of(
    headers: list[str],
    rows: list[list[str]],
    title: str | None = None,
    left: tuple[int, ...] = (0,),
    wrap: tuple[int, ...] = (),
) -> Table:
    """A table that stays readable at 80 columns: the first column (names from data) folds into
    the width the others leave; the others have a fixed width, their widest cell (a number cut
    in two reads as two numbers), or for the columns ``wrap`` their widest word. The columns
    ``left`` are left-aligned, the figures right-aligned."""
    table = Table(title=title, title_justify="left", show_edge=False, box=box.SIMPLE_HEAD,
                  padding=(0, 1), collapse_padding=True)  # fmt: skip
    table.add_column(headers[0], overflow="fold")
    for i, header in enumerate(headers[1:], start=1):
        cells = [row[i] for row in rows]
        words = [len(word) for cell in [header, *cells] for word in cell.split()]
        width = max([*words, *([] if i in wrap else map(len, cells))], default=1)
        justify: JustifyMethod = "left" if i in left else "right"
        table.add_column(header, justify=justify, width=width, overflow="fold")
    for row in rows:
        table.add_row(*(text(cell) for cell in row))
    return table


def line(value: str, indent: int = 2, style: str = "") -> Padding:
    """A line of text from data, indented; when it wraps, its further lines keep the indent."""
    return Padding(text(value, style=style), (0, 0, 0, indent), expand=False)


def _title(name: str, key: tuple[str, ...] = ()) -> list[Part]:
    title = text(name, style="bold")
    if key:
        title.append_text(text(f"  (key {', '.join(key)})", style="dim"))
    return [Text(""), title]


def one_side_detail(d: DatasetDiff) -> Group:
    """What a dataset one version lacks held: its rows (lost or new), schema and first rows."""
    one = one_side(d)
    assert one is not None
    parts: list[Part] = [*_title(d.name), line(one.headline)]
    if one.columns:
        names = ", ".join(f"{c.name} ({c.type})" for c in one.columns)
        parts.append(line(f"columns: {names}"))
    parts += _rows(one.samples)
    return Group(*parts)


def dataset_detail(report: Report, d: DatasetDiff) -> Group:
    parts: list[Part] = _title(d.name, d.key)
    parts += _schema(d)
    dup = d.duplicates
    if dup.any:
        parts.append(line(
            f"duplicate keys: {dup.production_keys:,} in production "
            f"({dup.production_rows:,} rows), {dup.candidate_keys:,} in candidate "
            f"({dup.candidate_rows:,} rows); {dup.groups_differing:,} of {dup.groups:,} "
            "shared groups differ"
        ))  # fmt: skip
    if dup.production_group_rows or dup.candidate_group_rows or dup.samples:
        parts += _groups(d, dup)
    for side, count, rows in (
        ("production", d.only_in_production, d.only_in_production_samples),
        ("candidate", d.only_in_candidate, d.only_in_candidate_samples),
    ):
        if count:
            shown = min(len(rows), MAX_SAMPLES)
            parts.append(line(f"{count:,} rows only in {side} ({w.showing(shown, count)})"))
            parts += _rows(rows)
    changed = d.changed_columns
    if changed:
        parts.append(_columns_table(report, d, changed[:MAX_COLUMNS]))
        if len(changed) > MAX_COLUMNS:
            parts.append(line(f"... and {len(changed) - MAX_COLUMNS} more changed columns"))
        for column in changed[:MAX_EXPLAINED]:
            parts += _explain(report, d.name, column)
    parts += _row_samples(d)
    return Group(*parts)


def _schema(d: DatasetDiff) -> list[Part]:
    s = d.schema
    parts: list[Part] = []
    for col in s.only_in_production:
        parts.append(line(f"- column {col.name} ({col.type}) only in production"))
    for col in s.only_in_candidate:
        parts.append(line(f"+ column {col.name} ({col.type}) only in candidate"))
    for tc in s.type_changes:
        parts.append(line(f"~ column {tc.column}: {tc.production_type} -> {tc.candidate_type}"))
    for r in s.renamed:
        parts.append(line(f"= column {r.production} renamed to {r.candidate}", style="dim"))
    return parts


def _columns_table(report: Report, d: DatasetDiff, changed: tuple[ColumnDiff, ...]) -> Table:
    """One row per changed column: how many rows, how much, the policy's class, and its floor."""
    floor = w.has_floor(report)
    headers = ["column", "changed", "% rows", "value→null", "max diff", "policy"]
    headers += ["floor"] if floor else []
    rows = []
    for c in changed:
        share = f"{100 * c.unequal / c.compared:.2f}%" if c.compared else "-"
        name = c.name if c.name == c.candidate_name else f"{c.name} -> {c.candidate_name}"
        cls = classification(report, d.name, c.name)
        cells = [name, f"{c.unequal:,}", share, f"{c.value_to_null:,}", _g(c.max_abs_diff),
                 f"{cls} {w.CLASS_MARK[cls]}" if cls else "-"]  # fmt: skip
        if floor:
            cells.append(w.floor_cell(report, d.name, c.name))
        rows.append(cells)
    return table_of(headers, rows, left=(0, 5, 6))


def _explain(report: Report, dataset: str, c: ColumnDiff) -> list[Part]:
    """A changed column in a few lines: transitions, nulls, delta, top segment, floor."""
    share = f" ({100 * c.unequal / c.compared:.2f}%)" if c.compared else ""
    cls = classification(report, dataset, c.name)
    head = text(c.name, style="bold")
    head.append_text(text(f": {c.unequal:,} of {c.compared:,} rows changed{share}"))
    if cls:
        head.append_text(text(f" · {cls} {w.CLASS_MARK[cls]}"))
    lines: list[Part] = [Padding(head, (0, 0, 0, 2), expand=False)]
    said = [("transitions", w.transitions(c))]
    if c.value_to_null or c.null_to_value:
        said.append(("nulls", w.nulls(c)))
    said.append(("delta", w.delta(c.delta)))
    if c.segments:
        said.append(("segment", w.segment(c.segments[0])))
    if w.has_floor(report):
        said.append(("floor", w.floor_judged(report, dataset, c.name)))
    lines += [line(f"{label}: {said_}", 4, "dim") for label, said_ in said if said_]
    return lines


def _row_samples(d: DatasetDiff) -> list[Part]:
    """Whole changed rows: the changed cells first (production -> candidate), then the rest."""
    if not d.row_samples:
        return _value_samples(d)
    shown = d.row_samples[:MAX_SAMPLES]
    parts: list[Part] = [line(f"changed rows ({w.showing(len(shown), d.rows_with_differences)})")]
    for row in shown:
        parts.append(line(f"{_pairs(row.key)}", 4, "bold"))
        for name in row.changed:
            p, c = row.production.get(name), row.candidate.get(name)
            parts.append(line(f"≠ {name}: {_v(p)} → {_v(c)}", 6))
        same = {
            k: v for k, v in row.production.items() if k not in row.changed and k not in row.key
        }
        if same:
            parts.append(line(f"same: {_pairs(same)}", 6, "dim"))
    return parts


def _value_samples(d: DatasetDiff) -> list[Part]:
    """Without whole rows (older reports): each changed column's first differing values."""
    parts: list[Part] = []
    for column in d.changed_columns[:MAX_SAMPLES]:
        for sample in column.samples[:MAX_SAMPLES]:
            parts.append(line(
                f"{column.name} [{_pairs(sample.key)}]: {_v(sample.production)} -> "
                f"{_v(sample.candidate)}", style="dim",
            ))  # fmt: skip
    return parts


def _groups(d: DatasetDiff, dup: Duplicates) -> list[Part]:
    """Each side's figures as a sum, and the first differing duplicate-key groups: key and rows."""
    parts: list[Part] = [line(sum_, style="dim") for sum_ in row_sums(d)]
    if dup.samples:
        shown = dup.samples[:MAX_SAMPLES]
        parts.append(line(
            f"differing duplicate-key groups ({w.showing(len(shown), dup.groups_differing)})"
        ))  # fmt: skip
    for group in dup.samples[:MAX_SAMPLES]:
        parts.append(line(f"key {_pairs(group.key)}", 4))
        for side, value in (("production", group.production), ("candidate", group.candidate)):
            rows = group_side_rows(value)
            for row in rows[:MAX_SAMPLES]:
                fields = [f for f in group_fields([row]) if f not in group.key]
                parts.append(line(f"{side:<10} {_pairs({k: row[k] for k in fields})}", 6,
                                  style="dim"))  # fmt: skip
            if len(rows) > MAX_SAMPLES:
                parts.append(line(f"{side:<10} ... {len(rows) - MAX_SAMPLES} more rows", 6))
    return parts


def _rows(samples: tuple[RowSample, ...]) -> list[Part]:
    return [line(f"{_pairs(row.values)}", 4, "dim") for row in samples[:MAX_SAMPLES]]


def _pairs(values: dict[str, JSONValue]) -> str:
    return ", ".join(f"{k}={_v(v)}" for k, v in values.items())


def _v(value: JSONValue) -> str:
    """A value whole (it wraps): strings quoted, so that '' and ' a ' read as what they are."""
    if value is None:
        return "null"
    return f"'{value_text(value, None)}'" if isinstance(value, str) else value_text(value, None)


def _g(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"

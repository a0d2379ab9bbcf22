"""The Markdown report's section for one dataset: schema changes, the changed columns (with their
top transitions, the value -> null split, the policy's class and the noise floor), then
collapsible blocks: what explains each column, whole changed rows, duplicate-key groups and the
rows of one side only. "showing N of M" wherever a list is bounded."""

from __future__ import annotations

from ..model import ColumnDiff, ColumnShift, DatasetDiff, JSONValue, Report, RowSample
from . import columns as w
from . import summary as s
from .markdown_escape import attr, cell, text

MAX_COLUMNS = 10
MAX_SAMPLE_COLUMNS = 5
MAX_SAMPLES = 5
MAX_ROW_FIELDS = 8
MAX_TRANSITIONS = 10
CELL_VALUE = 30  # characters of a value in a table's transitions cell


def one_side_section(d: DatasetDiff) -> list[str]:
    """A dataset one version lacks: its rows (lost or new), its schema and its first rows."""
    one = s.one_side(d)
    assert one is not None
    out = [f"### {text(d.name)}", "", one.headline, ""]
    if one.columns:
        columns = ", ".join(f"{text(c.name)} ({text(c.type)})" for c in one.columns)
        out += [f"columns ({one.side}): {columns}", ""]
    if one.samples:
        out += _row_samples(
            f"{d.name}: rows of {one.side}",
            len(one.samples) if one.rows is None else one.rows,
            one.samples,
        )
    return out


def dataset_section(report: Report, d: DatasetDiff) -> list[str]:
    out = [f"### {text(d.name)}", ""]
    if d.key:
        out += [f"key: {', '.join(text(k) for k in d.key)}", ""]
    schema = d.schema
    changes = [f"added {text(c.name)} ({text(c.type)})" for c in schema.only_in_candidate]
    changes += [f"removed {text(c.name)} ({text(c.type)})" for c in schema.only_in_production]
    changes += [
        f"type of {text(t.column)}: {text(t.production_type)} → {text(t.candidate_type)}"
        for t in schema.type_changes
    ]
    changes += [f"renamed {text(r.production)} → {text(r.candidate)}" for r in schema.renamed]
    if changes:
        out += [f"schema: {'; '.join(changes)}", ""]
    changed = d.changed_columns
    if changed:
        out += _columns_table(report, d, changed)
    for c in changed[:MAX_SAMPLE_COLUMNS]:
        out += _explain(report, d.name, c)
    out += _changed_rows(d)
    dup = d.duplicates
    if dup.production_group_rows or dup.candidate_group_rows or dup.samples:
        out += _groups(d)
    for side, total, samples in (
        ("production", d.only_in_production, d.only_in_production_samples),
        ("candidate", d.only_in_candidate, d.only_in_candidate_samples),
    ):
        if samples:
            out += _row_samples(f"{d.name}: rows only in {side}", total, samples)
    return out


def _columns_table(report: Report, d: DatasetDiff, changed: tuple[ColumnDiff, ...]) -> list[str]:
    floor = w.has_floor(report)
    out = [
        "| column | changed rows | share | value → null | top transitions | max abs diff | shift "
        "| policy |" + (" noise floor |" if floor else ""),
        "|---|---:|---:|---:|---|---:|---|---|" + ("---|" if floor else ""),
    ]
    for c in changed[:MAX_COLUMNS]:
        share = f"{100 * c.unequal / c.compared:.2f}%" if c.compared else "-"
        name = text(c.name if c.name == c.candidate_name else f"{c.name} → {c.candidate_name}")
        cls = s.classification(report, d.name, c.name)
        cells = [name, f"{c.unequal:,}", share, f"{c.value_to_null:,}",
                 text(w.transitions(c, top=2, limit=CELL_VALUE)) or "-",
                 s.number(c.max_abs_diff), _shift(c.shift),
                 f"{cls} {s.CLASS_MARK[cls]}" if cls else "-"]  # fmt: skip
        if floor:
            cells.append(text(w.floor_cell(report, d.name, c.name)))
        out.append("| " + " | ".join(cells) + " |")
    if len(changed) > MAX_COLUMNS:
        out.append(f"\n… and {len(changed) - MAX_COLUMNS} more changed columns")
    return [*out, ""]


def _explain(report: Report, dataset: str, c: ColumnDiff) -> list[str]:
    """A column's transitions (as a table), the change's distribution, the segments where the
    changed rows concentrate and the floor, collapsed; nothing when the engine gave none."""
    if not (c.transitions or c.delta or c.segments):
        return []
    lines: list[str] = []
    if c.value_to_null or c.null_to_value:
        lines.append(f"- {text(w.nulls(c))}")
    if w.delta(c.delta):
        lines.append(f"- {text(w.delta(c.delta))}")
    lines += [f"- {text(w.segment(seg, None))}" for seg in c.segments[:3]]
    if w.has_floor(report):
        lines.append(f"- noise floor: {text(w.floor_judged(report, dataset, c.name))}")
    shown = c.transitions[:MAX_TRANSITIONS]
    total = max(c.transitions_total, len(c.transitions))
    title = f"{dataset}.{c.name}: what changed ({w.showing(len(shown), total)} transitions)"
    rows: list[list[JSONValue]] = [[t.production, t.candidate, t.count] for t in shown]
    table = _table(["production", "candidate", "rows"], rows) if rows else []
    return [f"<details><summary>{attr(title)}</summary>", "", *lines, "", *table,
            "</details>", ""]  # fmt: skip


def _changed_rows(d: DatasetDiff) -> list[str]:
    """Whole changed rows (changed cells as ``production → candidate``); without them, as in
    older reports, each top column's first differing values."""
    if not d.row_samples:
        out: list[str] = []
        for c in d.changed_columns[:MAX_SAMPLE_COLUMNS]:
            if c.samples:
                keys = list(c.samples[0].key)
                rows = [
                    [*(v.key.get(k) for k in keys), v.production, v.candidate]
                    for v in c.samples[:MAX_SAMPLES]
                ]
                title = f"{d.name}.{c.name}: changed rows (showing {len(rows)} of {c.unequal:,})"
                out += _details(title, [*keys, "production", "candidate"], rows)
        return out
    samples = d.row_samples[:MAX_SAMPLES]
    keys = list(samples[0].key)
    fields: list[str] = []
    for row in samples:  # changed columns first, then the others as they come
        fields += [f for f in row.changed if f not in fields and f not in keys]
    for row in samples:
        fields += [f for f in row.production if f not in fields and f not in keys]
    shown = fields[:MAX_ROW_FIELDS]
    lines = []
    for row in samples:
        cells = [cell(row.key.get(k)) for k in keys]
        for f in shown:
            was, now = row.production.get(f), row.candidate.get(f)
            cells.append(f"{cell(was)} → {cell(now)}" if f in row.changed else cell(was))
        lines.append("| " + " | ".join(cells) + " |")
    more = f"; first {len(shown)} of {len(fields)} columns" if len(fields) > len(shown) else ""
    title = (
        f"{d.name}: changed rows, whole ({w.showing(len(samples), d.rows_with_differences)}"
        f"{more}; changed values as production → candidate)"
    )
    header = "| " + " | ".join(text(h) for h in [*keys, *shown]) + " |"
    return [f"<details><summary>{attr(title)}</summary>", "", header,
            "|" + "---|" * (len(keys) + len(shown)), *lines, "", "</details>", ""]  # fmt: skip


def _groups(d: DatasetDiff) -> list[str]:
    """Each side's figures as a sum, and the first differing duplicate-key groups."""
    dup = d.duplicates
    out = [f"rows: {'; '.join(s.row_sums(d))}", ""]
    if not dup.samples:
        return out
    groups = dup.samples[:MAX_SAMPLES]
    keys = list(groups[0].key)
    table: list[list[JSONValue]] = []
    fields: list[str] = []
    for g in groups:
        for side in (g.production, g.candidate):
            fields += [f for f in s.group_fields(s.group_side_rows(side)) if f not in fields]
    shown = [f for f in fields if f not in keys][:MAX_ROW_FIELDS]
    for g in groups:
        for side, value in (("production", g.production), ("candidate", g.candidate)):
            for row in s.group_side_rows(value)[:MAX_SAMPLES]:
                table.append([*(g.key.get(k) for k in keys), side, *(row.get(f) for f in shown)])
    title = (
        f"{d.name}: differing duplicate-key groups "
        f"(showing {len(groups)} of {dup.groups_differing:,})"
    )
    return out + _details(title, [*keys, "version", *shown], table)


def _shift(shift: ColumnShift | None) -> str:
    if shift is None:
        return "-"
    parts = [
        f"{label} {value:.3g}"
        for label, value in (("PSI", shift.psi), ("KS", shift.ks), ("TVD", shift.tvd))
        if value is not None
    ]
    return ", ".join(parts) or "-"


def _row_samples(title: str, total: int, samples: tuple[RowSample, ...]) -> list[str]:
    fields: list[str] = []
    for row in samples:
        fields += [f for f in row.values if f not in fields]
    shown = fields[:MAX_ROW_FIELDS]
    rows = [[row.values.get(f) for f in shown] for row in samples[:MAX_SAMPLES]]
    more = f"; first {len(shown)} of {len(fields)} columns" if len(fields) > len(shown) else ""
    return _details(f"{title} (showing {len(rows)} of {total:,}{more})", shown, rows)


def _table(header: list[str], rows: list[list[JSONValue]]) -> list[str]:
    out = ["| " + " | ".join(text(h) for h in header) + " |", "|" + "---|" * len(header)]
    return [*out, *("| " + " | ".join(cell(v) for v in row) + " |" for row in rows), ""]


def _details(title: str, header: list[str], rows: list[list[JSONValue]]) -> list[str]:
    return [f"<details><summary>{attr(title)}</summary>", "", *_table(header, rows),
            "</details>", ""]  # fmt: skip

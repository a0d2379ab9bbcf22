"""Columns read as text (``--text-column COL``, ``--all-text``; ``text_columns`` and ``all_text``
in a run spec): where they apply, and the checks that a named column exists.

CSV and JSON store no types: each engine guesses them from the values, so a user who knows a
column is an identifier (``007``), a code (``1e3``) or a value written exactly (``1.10``) says
so, and both versions read it as the text the files hold: it then compares by its written form,
exactly. The names are production names; the candidate's column is the renamed one. Parquet,
Arrow and database tables carry declared types, which are what text reading would guess at, so
there the option does nothing; a comparison where it can do nothing at all is refused, rather
than ignored silently. docs/semantics.md ("Columns read as text") states the rule.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from ..datasets import TEXT_FORMATS
from ..errors import ALL_TEXT, TEXT_COLUMNS, SchemaError, UsageError
from .dataset import DatasetSpec

if TYPE_CHECKING:
    from ..datasets import DatasetRef
    from ..model import Column
    from .run import RunSpec


def on_ref(ref: DatasetRef, spec: DatasetSpec, side: str) -> DatasetRef:
    """The reference carrying the columns to read as text, named as this side names them."""
    if ref.format not in TEXT_FORMATS or not (spec.text_columns or spec.all_text):
        return ref
    names = tuple(spec.text_columns)
    if side == "candidate":
        names = tuple(spec.candidate_name(c) for c in names)
    return replace(ref, text_columns=names, all_text=spec.all_text)


def closest(name: str, names: Collection[str]) -> str:
    """``closest: Amount, amounts`` (the names most like ``name``), else a short listing."""
    found = difflib.get_close_matches(name, sorted(names), n=3, cutoff=0.6)
    found += [n for n in sorted(names) if n.lower() == name.lower() and n not in found]
    if found:
        return "closest: " + ", ".join(f"'{n}'" for n in found[:3])
    listing = ", ".join(list(names)[:12]) + (", ..." if len(names) > 12 else "")
    return f"columns: {listing or 'none'}"


def missing(spec: DatasetSpec, production: Sequence[str], candidate: Sequence[str]) -> list[str]:
    """The named text columns that neither version of the dataset has (renames followed)."""
    return [
        c
        for c in spec.text_columns
        if c not in production and spec.candidate_name(c) not in candidate
    ]


def check_names(
    dataset: str,
    production: Sequence[Column],
    candidate: Sequence[Column],
    spec: DatasetSpec,
) -> None:
    """Every named text column is a column of the dataset (one dataset compared)."""
    prod, cand = [c.name for c in production], [c.name for c in candidate]
    for column in missing(spec, prod, cand):
        setting = TEXT_COLUMNS.of(dataset)
        raise SchemaError(
            setting, f" '{column}': dataset '{dataset}' has no such column in production or "
            f"candidate ({closest(column, dict.fromkeys(prod + cand))}); fix ", setting,
        )  # fmt: skip


def check_seen(dataset: str, spec: DatasetSpec, seen: Collection[str]) -> None:
    """Across an output folder, each named text column is a column of at least one dataset."""
    for column in spec.text_columns:
        if column not in seen and spec.candidate_name(column) not in seen:
            setting = TEXT_COLUMNS.of(dataset)
            raise UsageError(
                setting, f" '{column}': no dataset has such a column "
                f"({closest(column, seen)}); fix ", setting,
            )  # fmt: skip


def check_formats(
    pairs: Sequence[tuple[str, DatasetRef | None, DatasetRef | None]],
    spec_for: Callable[[str], DatasetSpec],
) -> None:
    """Text reading applies to CSV and JSON; where no dataset is either it would do nothing,
    which a user asking for it would not expect: refused, naming the option."""
    wanting = [n for n, _, _ in pairs if spec_for(n).text_columns or spec_for(n).all_text]
    if not wanting:
        return
    formats = {r.format for _, p, c in pairs for r in (p, c) if r is not None}
    if formats & TEXT_FORMATS:
        return
    spec = spec_for(wanting[0])
    setting = (TEXT_COLUMNS if spec.text_columns else ALL_TEXT).of(wanting[0])
    raise UsageError(
        setting, " applies to CSV and JSON files only, and dataset "
        f"'{wanting[0]}' is {'/'.join(sorted(formats))}, whose columns carry their declared "
        "types (compared by those, exactly); drop ", setting,
    )  # fmt: skip


def with_flags(spec: RunSpec, columns: Sequence[str], all_text: bool) -> RunSpec:
    """``run --text-column COL`` / ``--all-text``: added to every dataset's own settings and
    the defaults (a run has one spec file; the flags serve every dataset in it)."""
    if not columns and not all_text:
        return spec

    def extended(ds: DatasetSpec) -> DatasetSpec:
        names = ds.text_columns + tuple(c for c in columns if c not in ds.text_columns)
        return replace(ds, text_columns=names, all_text=ds.all_text or all_text)

    entries = tuple(replace(e, spec=extended(e.spec)) for e in spec.datasets)
    flagged = tuple(c for c in columns if c not in spec.defaults.text_columns)
    return replace(spec, defaults=extended(spec.defaults), datasets=entries, text_flag=flagged)

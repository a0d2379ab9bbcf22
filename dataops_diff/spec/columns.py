"""A run spec's column names checked against the datasets the versions wrote, in the spec's words.

``compare`` names its flags when a column is missing (``--key``, ``--rename``); a run has no such
flags, so its messages name the spec key the setting came from (``datasets.orders.key`` or
``defaults.key`` in FILE). This runs before the comparison, so the engine's own checks (worded for
flags) never see a run spec's mistake.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import SpecError
from .dataset import DatasetSpec
from .run import RunSpec
from .run_datasets import table_key
from .text_columns import closest

Schema = tuple[str, Sequence[str], Sequence[str]]  # dataset, production and candidate columns


def check_columns(
    spec: RunSpec, schemas: Sequence[Schema], spec_for: dict[str, DatasetSpec]
) -> None:
    """Every named column exists where it must: keys, renames, ignored and tolerance columns.

    A setting of the dataset's own table must hold for that dataset; a ``[defaults]`` setting
    serves many datasets, so (keys aside) it must name a column of at least one of them.
    """
    unseen: dict[tuple[str, str], str] = {}  # (setting, column) -> the first dataset lacking it
    seen: set[tuple[str, str]] = set()
    for name, prod, cand in schemas:
        ds = spec_for[name]
        for old, new in ds.renames.items():
            if (old in prod) != (new in cand):  # half a rename is always a mistake
                where = spec.setting(name, "renames")
                side, col, cols = (
                    ("production", old, prod) if new in cand else ("candidate", new, cand)
                )
                raise _missing(spec, where, col, side, name, cols)
        for option, column, side, present in _named(ds, set(prod), set(cand)):
            where = spec.setting(name, option)
            if option == "text_columns" and column in spec.text_flag:
                where = "--text-column"  # given on the command line: a default for every dataset
            if present:
                seen.add((where, column))
            elif option == "text_columns" and where.startswith(table_key(name)):
                raise SpecError(
                    f"{spec.path}: {where} names column '{column}', which dataset '{name}' has "
                    f"in neither version ({closest(column, dict.fromkeys([*prod, *cand]))}); "
                    f"fix {where}"
                )
            elif option == "key" or not where.startswith((spec.defaults_table, "--")):
                raise _missing(
                    spec, where, column, side, name, prod if side == "production" else cand
                )
            else:
                unseen.setdefault((where, column), name)
    for (where, column), name in unseen.items():
        if (where, column) in seen:
            continue
        if where.startswith("--"):
            every = {c for _, prod, cand in schemas for c in (*prod, *cand)}
            raise SpecError(
                f"{where} '{column}': no dataset of the run has such a column "
                f"({closest(column, every)}); fix {where}"
            )
        if (where, column) not in seen:
            raise SpecError(
                f"{spec.path}: {where} names column '{column}', which no dataset has "
                f"(e.g. not '{name}'); fix {where}"
            )


def _named(ds: DatasetSpec, prod: set[str], cand: set[str]) -> list[tuple[str, str, str, bool]]:
    """(option, column, the side it must be on, whether it is there) for every named column."""
    out = []
    for k in ds.key:
        out.append(("key", k, "production", k in prod))
        out.append(("key", ds.candidate_name(k), "candidate", ds.candidate_name(k) in cand))
    for old, new in ds.renames.items():
        out.append(("renames", old, "production", old in prod))
        out.append(("renames", new, "candidate", new in cand))
    out += [("ignore_columns", c, "production", c in prod or c in cand) for c in ds.ignore_columns]
    out += [
        ("text_columns", c, "production", c in prod or ds.candidate_name(c) in cand)
        for c in ds.text_columns
    ]
    out += [("abs_tol", c, "production", c in prod) for c in ds.column_abs_tol]
    out += [("rel_tol", c, "production", c in prod) for c in ds.column_rel_tol]
    return out


def _missing(
    spec: RunSpec, where: str, column: str, side: str, dataset: str, columns: Sequence[str]
) -> SpecError:
    listing = ", ".join(columns[:12]) + (", ..." if len(columns) > 12 else "")
    return SpecError(
        f"{spec.path}: {where} names column '{column}', which the {side} version of dataset "
        f"'{dataset}' does not have (columns: {listing}); fix {where}"
    )

"""The datasets of a dbt run: each model either version built, read from its DuckDB file.

Models are named as in dbt (``orders``), paired by name, and keyed from the project (see
``manifest``); a ``[datasets.NAME]`` table of the spec still sets a model's options, and its
``key`` wins over the project's (``[defaults]`` keys only a model whose project gives none).
Seeds and other tables in the file are not compared: seeds are versioned with the code, and a
change to one shows in the models built from it.
"""

from __future__ import annotations

import os
from dataclasses import replace

from ..datasets import DatasetRef
from ..errors import SpecError
from ..model import RunComparison, Side
from ..pairing import pair_outputs
from ..spec import DatasetSpec, RunSpec
from ..spec.run_datasets import table_key
from .manifest import Model, models
from .preset import DATABASE, manifest_path

DatasetPair = tuple[str, DatasetRef | None, DatasetRef | None, DatasetSpec]


def dbt_pairs(spec: RunSpec, run: RunComparison, failed: frozenset[Side]) -> list[DatasetPair]:
    """Every model built by either version, with its spec; a model with no key is refused."""
    built: dict[str, Model] = {}
    for record in (run.candidate, run.production):  # production's key wins when both have one
        path = manifest_path(os.path.dirname(record.output_dir))
        if os.path.isfile(path) and record.side not in failed:
            built.update(models(path, record.side))
        elif os.path.isfile(path):  # a failed version: what it built, if anything
            built.update({k: v for k, v in models(path, record.side).items() if k not in built})
    entries = {e.name: e for e in spec.datasets}
    listed = [(name, DATABASE, None) for name in sorted(built)]
    tables = {name: model.table for name, model in built.items()}
    pairs = pair_outputs(run.production.output_dir, run.candidate.output_dir, listed,
                         spec.defaults.format, failed, tables)  # fmt: skip
    out: list[DatasetPair] = []
    for name, p, c in pairs:
        if name not in built:
            continue  # seeds, and tables no model of either version builds
        entry = entries.get(name)
        own = entry.spec if entry is not None else spec.defaults
        if entry is None or "key" not in entry.own:  # the project's key, else [defaults]
            own = replace(own, key=built[name].key or own.key or _refuse(spec, built[name]))
        out.append((name, p, c, own))
    return out


def _refuse(spec: RunSpec, model: Model) -> tuple[str, ...]:
    column = model.columns[0] if model.columns else "ID_COLUMN"
    raise SpecError(
        f"dbt model '{model.name}' has no key (no unique test, unique_combination_of_columns "
        f"test or unique_key config); in {model.schema_file} add under '- name: {model.name}': "
        f"`columns: - name: {column}  tests: [unique]`, or set key in [{table_key(model.name)}] "
        f"of {spec.path}"
    )

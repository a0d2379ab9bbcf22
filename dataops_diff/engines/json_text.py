"""JSON columns chosen to be read as text (``--text-column``, ``--all-text``), as written.

DuckDB parses every JSON number before it can hand it over as text, so ``1.10`` reaches it as
``1.1`` and ``1e3`` as ``1000.0``: a column read as text would not compare by its written form.
So the files of a dataset with such columns are rewritten once into the spill folder, each
chosen value turned into a JSON string of its literal (numbers exactly as written, objects and
arrays as compact JSON text with their numbers as written), every other value unchanged. Spark
keeps the literal itself. Cost: one Python pass over the JSON files of such a dataset only.
"""

from __future__ import annotations

import gzip
import json
import os
import tempfile
from typing import Any

from ..datasets import DatasetRef


class _Raw(str):
    """A JSON number (or NaN/Infinity constant), kept as the text it was written as."""


def as_text(
    ref: DatasetRef, files: tuple[str, ...], shown: dict[str, str], view: str, temp_dir: str
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The files to read: copies in which the chosen columns hold their values as written."""
    folder = tempfile.mkdtemp(prefix=f"{view}-json-", dir=temp_dir)
    chosen = None if ref.all_text else set(ref.text_columns)
    out: list[str] = []
    mapping: dict[str, str] = {}
    for i, path in enumerate(files):
        name = os.path.basename(path)
        target = os.path.join(folder, f"{i}-{name[:-3] if name.lower().endswith('.gz') else name}")
        if not _rewrite(path, target, chosen):
            target = path  # not JSON Python can parse: the engine's reader names the line
        out.append(target)
        mapping[target] = shown[path]
    return tuple(out), mapping


def _rewrite(path: str, target: str, chosen: set[str] | None) -> bool:
    """Write ``path`` to ``target`` with the chosen values as strings; False when unparsable."""
    opener: Any = gzip.open if path.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig") as fh:
            text = fh.read()
        head = text.lstrip()
        if head.startswith("["):  # one JSON array per file
            records = [_loads(head)]
            arrays = True
        else:
            records = [_loads(line) if line.strip() else None for line in text.splitlines()]
            arrays = False
    except (ValueError, OSError, EOFError):
        return False
    with open(target, "w", encoding="utf-8") as fh:
        if arrays:
            rows = records[0] if isinstance(records[0], list) else [records[0]]
            fh.write("[" + ",\n".join(_record(r, chosen) for r in rows) + "]\n")
        else:
            for record in records:
                fh.write("" if record is None else _record(record, chosen) + "\n")
    return True


def _loads(text: str) -> Any:
    return json.loads(text, parse_int=_Raw, parse_float=_Raw, parse_constant=_Raw)


def _record(record: Any, chosen: set[str] | None) -> str:
    if not isinstance(record, dict):
        return _dumps(record)
    fields = []
    for key, value in record.items():
        if isinstance(value, str) and not isinstance(value, _Raw):  # a string stays one
            written = json.dumps(value, ensure_ascii=False)
        elif value is not None and (chosen is None or key in chosen):
            written = json.dumps(_dumps(value), ensure_ascii=False)  # the literal, as a string
        else:
            written = _dumps(value)
        fields.append(json.dumps(key, ensure_ascii=False) + ":" + written)
    return "{" + ",".join(fields) + "}"


def _dumps(value: Any) -> str:
    """JSON text with every number as it was written."""
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, dict):
        items = (json.dumps(k, ensure_ascii=False) + ":" + _dumps(v) for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)

"""THE pairing: the datasets of both versions, paired by name, for ``compare`` and ``run`` alike.

``find_datasets`` lists the datasets at a path (the one dataset it is, or those of a folder of
datasets, nested ones by relative path, database files as folders of tables); ``pair`` pairs two
paths given on the command line; ``pair_outputs`` pairs a run's two output folders, listed
datasets first. What one dataset is: ``datasets``. The rule: docs/semantics.md ("What a dataset
is").
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial

from . import dbfiles
from .datasets import (
    DatasetRef,
    dataset_name,
    format_of,
    is_dataset_folder,
    is_single,
    is_uri,
    open_dataset,
    uri_dataset,
)
from .errors import ENGINE, InputError, UsageError
from .filetree import HIDDEN
from .model import Side

SIDES: tuple[Side, Side] = ("production", "candidate")


def find_datasets(
    root: str,
    side: Side,
    fmt: str | None = None,
    claimed: Iterable[str] = (),
    lenient: bool = False,
) -> dict[str, DatasetRef]:
    """The datasets at ``root`` by name: the one dataset it is, or those of a folder of datasets.

    ``claimed``: paths relative to ``root`` listed elsewhere (a run spec's ``datasets.NAME.path``):
    they are not found again, and a folder holding one is read as a folder of datasets, so its
    other entries are still found. ``lenient``: unreadable entries (a failed version's partial
    output) count as absent instead of raising.
    """
    if not os.path.exists(root):
        raise InputError(f"{side} path '{root}' does not exist; check the path")
    claims = {os.path.normpath(c) for c in claimed}
    if "." in claims:
        return {}  # the whole folder is one listed dataset
    if os.path.isfile(root) and dbfiles.is_database(root, format_of(root) is not None):
        return _lenient(lambda: dbfiles.datasets(root, side), lenient)
    if not claims and is_single(root):
        ref = _open(root, side, fmt, None, lenient)
        return {} if ref is None else {ref.name: ref}
    found: dict[str, DatasetRef] = {}
    _find(root, "", side, fmt, claims, lenient, found, frozenset())
    return found


def _find(
    folder: str,
    prefix: str,
    side: Side,
    fmt: str | None,
    claims: set[str],
    lenient: bool,
    found: dict[str, DatasetRef],
    chain: frozenset[str],
) -> None:
    if (real := os.path.realpath(folder)) in chain:
        raise InputError(f"'{folder}' links back to '{real}' (a symbolic link loop); remove it")
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        rel = prefix + entry.name
        if entry.name.startswith(HIDDEN) or rel in claims:
            continue
        if entry.is_dir():
            one = is_dataset_folder(entry.path)
            if one and any(c.startswith(rel + os.sep) for c in claims):
                continue  # a dataset folder holding a listed path is that listed dataset's
            if not one:
                _find(entry.path, rel + os.sep, side, fmt, claims, lenient, found, chain | {real})
                continue
        elif not entry.is_file():
            raise InputError(f"'{entry.path}' is a broken symbolic link; fix the link or remove it")
        elif format_of(entry.name, fmt) is None:
            if dbfiles.is_database(entry.path, False):  # a folder of tables: warehouse/orders
                tables = partial(dbfiles.datasets, entry.path, side, prefix + _stem(entry.name))
                _add(found, _lenient(tables, lenient).values(), side, folder)
            continue  # not data: a README, a log
        name = (prefix + dataset_name(entry.path)).replace(os.sep, "/")
        ref = _open(entry.path, side, fmt, name, lenient)
        _add(found, [] if ref is None else [ref], side, folder)


def _add(found: dict[str, DatasetRef], refs: Iterable[DatasetRef], side: Side, folder: str) -> None:
    for ref in refs:
        if ref.name in found:
            raise InputError(
                f"{side} folder '{folder}' holds two datasets named '{ref.name}' "
                f"('{found[ref.name].path}' and '{ref.path}'); keep one, or list one in a run "
                "spec's [datasets] with its path"
            )
        found[ref.name] = ref


def _stem(file_name: str) -> str:
    return os.path.splitext(file_name)[0]


def _lenient(tables: Callable[[], dict[str, DatasetRef]], lenient: bool) -> dict[str, DatasetRef]:
    """A database file's tables; none when a failed version left it unreadable (``lenient``)."""
    try:
        return tables()
    except InputError:
        if lenient:
            return {}
        raise


Pair = tuple[str, DatasetRef | None, DatasetRef | None]


def pair(
    production: str,
    candidate: str,
    fmt: str | None = None,
    uris: bool = False,
    tables: Sequence[str] = (),
    schemas: Sequence[str] = (),
) -> list[Pair]:
    """``compare``: pair the datasets of both sides by name, sorted by name.

    Two single datasets (files or dataset folders) are paired whatever their names. ``uris``: the
    engine reads URIs (``s3a://...``); a URI is one dataset. ``tables``/``schemas``: only these
    tables of database files (``--table``, ``--schema``).
    """
    if is_uri(production) or is_uri(candidate):
        uri = production if is_uri(production) else candidate
        if not uris:
            raise UsageError(
                f"'{uri}' is a URI, which only ", ENGINE, " spark reads; pass ", ENGINE,
                " spark, or copy the data to a local path",
            )  # fmt: skip
        p = (uri_dataset if is_uri(production) else open_dataset)(production, "production", fmt)
        c = (uri_dataset if is_uri(candidate) else open_dataset)(candidate, "candidate", fmt)
        return [(p.name, p, DatasetRef(p.name, c.path, c.format, c.files, c.hive))]
    for side, path in zip(SIDES, (production, candidate), strict=True):
        if not os.path.exists(path):
            raise InputError(f"{side} path '{path}' does not exist; check the path")
    single_prod, single_cand = is_single(production), is_single(candidate)
    if single_prod != single_cand:
        one, other = ("production", "candidate") if single_prod else ("candidate", "production")
        raise UsageError(
            f"{one} is a single dataset but {other} is a folder of datasets; "
            "pass two files or dataset folders, or two output folders"
        )
    pairs = pair_outputs(production, candidate, fmt=fmt)
    if tables or schemas:
        pairs = dbfiles.only(pairs, tables, schemas)
    for side, path in zip(SIDES, (production, candidate), strict=True):
        if not any((p, c)[SIDES.index(side)] for _, p, c in pairs):
            what = "database file" if os.path.isfile(path) else "folder"
            raise InputError(f"{side} {what} '{path}' holds no datasets; check the path")
    return pairs


def pair_outputs(
    production: str,
    candidate: str,
    listed: Sequence[tuple[str, str | None, str | None]] = (),
    fmt: str | None = None,
    failed: frozenset[Side] = frozenset(),
    tables: Mapping[str, str] | None = None,
) -> list[Pair]:
    """``run`` (and ``compare``): the listed datasets in order, then every other one found, by name.

    ``listed``: (name, path relative to the output folder or None for the entry named ``name``,
    format). A listed dataset absent from both outputs is paired as (None, None): the caller names
    the spec key. ``failed``: versions that did not succeed; their unreadable datasets are absent.
    ``tables``: listed name -> ``schema.table`` when its path is a database file (that table only
    is claimed; the file's other tables are still found).
    """
    roots = dict(zip(SIDES, (production, candidate), strict=True))
    tables = tables or {}
    claimed = [path for name, path, _ in listed if path and name not in tables]
    found = {s: find_datasets(roots[s], s, fmt, claimed, s in failed)
             if os.path.exists(roots[s]) else {} for s in SIDES}  # fmt: skip
    taken = {(os.path.normpath(os.path.join(roots[s], path)), dbfiles.split_name(tables[name]))
             for name, path, _ in listed if path and name in tables for s in SIDES}  # fmt: skip
    found = {s: {n: r for n, r in f.items() if (os.path.normpath(r.path), r.table) not in taken}
             for s, f in found.items()}  # fmt: skip
    if is_single(production) and is_single(candidate) and not claimed and all(found.values()):
        ((name, p),) = found["production"].items()
        ((_, c),) = found["candidate"].items()
        return [(name, p, DatasetRef(name, c.path, c.format, c.files, c.hive))]
    pairs: list[Pair] = []
    for name, path, own_fmt in listed:
        refs = [_listed(s, roots[s], name, path, own_fmt or fmt, found[s], s in failed,
                        tables.get(name)) for s in SIDES]  # fmt: skip
        pairs.append((name, refs[0], refs[1]))
    listed_names = {name for name, _, _ in listed}
    rest = sorted((set(found["production"]) | set(found["candidate"])) - listed_names)
    pairs.extend((n, found["production"].get(n), found["candidate"].get(n)) for n in rest)
    return pairs


def _listed(
    side: Side,
    root: str,
    name: str,
    path: str | None,
    fmt: str | None,
    found: dict[str, DatasetRef],
    lenient: bool,
    table: str | None = None,
) -> DatasetRef | None:
    if path is not None and table is not None:
        full = os.path.normpath(os.path.join(root, path))
        if not os.path.exists(full):
            return None
        try:
            return dbfiles.table_dataset(full, side, name, table)
        except InputError:
            if lenient:
                return None
            raise
    if path is None:
        ref = found.get(name)
        return ref if ref is None or fmt is None else open_dataset(ref.path, side, fmt, name)
    full = os.path.normpath(os.path.join(root, path))
    return _open(full, side, fmt, name, lenient) if os.path.exists(full) else None


def _open(
    path: str, side: Side, fmt: str | None, name: str | None, lenient: bool
) -> DatasetRef | None:
    """``open_dataset``; None for what a version that failed left unreadable (``lenient``)."""
    try:
        return open_dataset(path, side, fmt, name)
    except InputError:
        if lenient:
            return None
        raise

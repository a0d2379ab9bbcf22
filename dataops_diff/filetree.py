"""Files on disk as the datasets and the run see them: walked with links followed, compared, hashed.

Links are followed everywhere (a linked partition or input folder is data like any other); a link
loop or a broken link is an error, never a silent skip (docs/semantics.md, "What a dataset is").
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Sequence

from .errors import InputError

HIDDEN = (".", "_")  # bookkeeping entries (_SUCCESS, .crc, _delta_log): never data
HIVE_DIR = re.compile(r"^[^=/]+=[^/]*$")
_CHUNK = 1 << 20


def walk_files(folder: str, skip_hidden: bool = True) -> tuple[list[str], bool]:
    """Every file under ``folder`` (absolute, sorted), following links; and if hive folders occur.

    Links are followed because a linked partition or input folder is data like any other; a link
    back into a folder being walked is a loop, and a broken link a missing file: both are errors,
    never skipped.
    """
    files: list[str] = []
    hive = _walk(folder, frozenset(), skip_hidden, files)
    return sorted(files), hive


def _walk(folder: str, chain: frozenset[str], skip_hidden: bool, files: list[str]) -> bool:
    real = os.path.realpath(folder)
    if real in chain:
        raise InputError(
            f"'{folder}' links back to '{real}', a folder that holds it (a symbolic link loop); "
            "remove the link"
        )
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        raise InputError(f"cannot list '{folder}': {exc.strerror}; check its permissions") from exc
    hive = False
    for entry in entries:
        if skip_hidden and entry.name.startswith(HIDDEN):
            continue
        if entry.is_dir():
            inner = _walk(entry.path, chain | {real}, skip_hidden, files)
            hive = hive or inner or bool(HIVE_DIR.match(entry.name))
        elif entry.is_file():
            files.append(os.path.abspath(entry.path))
        else:
            raise InputError(
                f"'{entry.path}' is a broken symbolic link or not a regular file; "
                "fix the link or remove it"
            )
    return hive


def same_files(
    production: Sequence[str], p_base: str, candidate: Sequence[str], c_base: str, paths: bool
) -> bool:
    """Both lists hold the same bytes, file by file (and the same relative paths when ``paths``)."""
    if len(production) != len(candidate):
        return False
    if paths and [os.path.relpath(f, p_base) for f in production] != [
        os.path.relpath(f, c_base) for f in candidate
    ]:
        return False
    pairs = list(zip(production, candidate, strict=True))
    if any(os.path.getsize(p) != os.path.getsize(c) for p, c in pairs):
        return False
    return all(same_file(p, c) for p, c in pairs)


def same_file(a: str, b: str) -> bool:
    if os.path.samefile(a, b):
        return True
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            ca, cb = fa.read(_CHUNK), fb.read(_CHUNK)
            if ca != cb:
                return False
            if not ca:
                return True


def fingerprint(path: str) -> tuple[int, int, str]:
    """(files, bytes, sha256) of a file or folder: relative paths, sizes and contents.

    Every file counts, hidden ones too, and linked folders are followed (an input reached through a
    link is still an input).
    """
    digest = hashlib.sha256()
    paths = [os.path.abspath(path)] if os.path.isfile(path) else walk_files(path, False)[0]
    base = os.path.abspath(path) if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
    total = 0
    for p in paths:
        rel = os.path.relpath(p, base).replace(os.sep, "/")
        size = os.stat(p).st_size
        total += size
        digest.update(f"{rel}\0{size}\0".encode())
        with open(p, "rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    return len(paths), total, digest.hexdigest()

"""Files on disk as the datasets and the run see them: walked with links followed, compared, hashed.

Links are followed everywhere (a linked partition or input folder is data like any other); a link
loop or a broken link is an error, never a silent skip (docs/semantics.md, "What a dataset is").
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import xxhash

from .errors import InputError

HIDDEN = (".", "_")  # bookkeeping entries (_SUCCESS, .crc, _delta_log): never data
HIVE_DIR = re.compile(r"^[^=/]+=[^/]*$")
_CHUNK = 1 << 20
BLOCK = 1 << 22  # fingerprint reads: 4 MiB, few system calls, still in the CPU's caches
SEGMENT = 1 << 28  # a file larger than 256 MiB is hashed in parts, in parallel
THREADS = max(1, min(4, os.cpu_count() or 1))  # the parts and files hashed at once
CONTENT_HASH: Any = xxhash.xxh3_128  # 128 bits, ~20 GB/s a core here; sha256: 1.7 (SHA-NI)
_buffers = threading.local()


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
    """(files, bytes, digest) of a file or folder: relative paths, sizes and every byte.

    Every file counts, hidden ones too, and linked folders are followed (an input reached through a
    link is still an input). Every byte is read, every time: sizes and modification times are not
    trusted, as a rewrite can keep both (``os.utime``), and ctime moves in coarse clock ticks.
    Files, and SEGMENT-sized parts of large files, are hashed in parallel threads (file reads and
    the hash release the GIL) with xxh3-128 (CONTENT_HASH: a change is missed with probability
    2^-128; its 12x speed over sha256 is most of the cost of a ``run`` beyond the pipelines and
    the diff: docs/benchmarks.md, "run overhead"). The digest is the sha256 of each file's
    relative path, size and content hash, in path order, so it does not depend on the order the
    parts finish in. An unreadable file is an ``InputError`` naming it.
    """
    top = os.path.abspath(path)
    files, base = ([top], os.path.dirname(top)) if os.path.isfile(top) else (
        walk_files(top, False)[0], top
    )  # fmt: skip
    parts = [part for i, f in enumerate(files) for part in _parts(i, f)]
    pool = ThreadPoolExecutor(min(THREADS, len(parts) or 1))
    try:
        hashed = list(pool.map(_hash_part, parts))
    finally:  # on an error or Ctrl-C, parts not yet started are dropped, not read to the end
        pool.shutdown(cancel_futures=True)
    by_file: list[list[tuple[int, bytes]]] = [[] for _ in files]
    for part, h in zip(parts, hashed, strict=True):
        by_file[part[0]].append(h)
    digest, total = hashlib.sha256(), 0
    for f, mine in zip(files, by_file, strict=True):
        size = sum(n for n, _ in mine)
        content = b"".join(d for _, d in mine)  # each part's hash, in order
        rel = os.path.relpath(f, base).replace(os.sep, "/")
        digest.update(f"{rel}\0{size}\0{len(mine)}\0".encode() + content)
        total += size
    return len(files), total, digest.hexdigest()


_Part = tuple[int, str, int, int]  # (file number, path, offset, bytes to read; -1: to the end)


def _parts(i: int, path: str) -> list[_Part]:
    """A file in SEGMENT-sized parts, the last read to the end (a file that grew is read whole)."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    cuts = range(0, max(size, 1), SEGMENT)
    return [(i, path, at, SEGMENT if at + SEGMENT < size else -1) for at in cuts]


def _hash_part(part: _Part) -> tuple[int, bytes]:
    """(bytes read, hash) of one part of a file, read in BLOCK-sized pieces into one buffer."""
    _, path, offset, length = part
    view: memoryview | None = getattr(_buffers, "view", None)
    if view is None:  # one buffer per thread, reused: no 4 MiB allocation per small file
        view = _buffers.view = memoryview(bytearray(BLOCK))
    digest, total = CONTENT_HASH(), 0
    try:
        with open(path, "rb", buffering=0) as fh:
            fh.seek(offset)
            while length < 0 or total < length:
                want = BLOCK if length < 0 else min(BLOCK, length - total)
                n = fh.readinto(view[:want])
                if not n:
                    break
                digest.update(view[:n])
                total += n
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    return total, bytes(digest.digest())


def _unreadable(path: str, exc: OSError) -> InputError:
    return InputError(
        f"cannot read '{path}': {exc.strerror or exc}; check that the file exists and is readable"
    )

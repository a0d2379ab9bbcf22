"""Input fingerprints (``filetree.fingerprint``, ``observe.WatchedInputs``): every change is seen.

The fingerprint reads every byte every time, in parallel threads and in parts for large files;
these tests change inputs in the ways a stat-based shortcut, a part boundary or the parallel order
could miss, and assert the digest (or the watcher) sees each change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dataops_diff import filetree
from dataops_diff.errors import InputError
from dataops_diff.filetree import fingerprint
from dataops_diff.shadow.observe import WatchedInputs


def rewrite_keeping_size_and_times(path: Path, data: bytes) -> None:
    """Write ``data`` (the same length) over ``path`` and put its access and modification times
    back, to the nanosecond: what a stat-based check cannot tell from no change."""
    before = path.stat()
    assert len(data) == before.st_size
    path.write_bytes(data)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


@pytest.fixture
def small_parts(monkeypatch: pytest.MonkeyPatch) -> int:
    """Parts of 64 KiB read in 4 KiB blocks, so that small files cross part boundaries."""
    monkeypatch.setattr(filetree, "SEGMENT", 1 << 16)
    monkeypatch.setattr(filetree, "BLOCK", 1 << 12)
    monkeypatch.setattr(filetree, "_buffers", type(filetree._buffers)())
    return 1 << 16


def folder(tmp_path: Path) -> Path:
    root = tmp_path / "inputs"
    (root / "day=1").mkdir(parents=True)
    (root / "day=1" / "a.csv").write_bytes(b"id,v\n" + b"1,2\n" * 1000)
    (root / "b.parquet").write_bytes(bytes(range(256)) * 40)
    (root / "_SUCCESS").write_bytes(b"")
    return root


def test_a_rewrite_with_the_same_size_and_times_changes_the_fingerprint(tmp_path: Path) -> None:
    root = folder(tmp_path)
    files, size, digest = fingerprint(str(root))
    target = root / "day=1" / "a.csv"
    data = bytearray(target.read_bytes())
    data[-2] = ord("3")  # 1,2 -> 1,3 in the last row
    rewrite_keeping_size_and_times(target, bytes(data))
    after = fingerprint(str(root))
    assert after[:2] == (files, size)
    assert after[2] != digest


@pytest.mark.parametrize("where", [0, (1 << 16) - 1, 1 << 16, 3 * (1 << 16) + 5, -1])
def test_a_change_anywhere_in_a_large_file_is_seen_at_any_part_boundary(
    tmp_path: Path, small_parts: int, where: int
) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(4 * small_parts + 17))
    files, size, digest = fingerprint(str(big))
    assert (files, size) == (1, 4 * small_parts + 17)
    data = bytearray(big.read_bytes())
    data[where] ^= 0xFF
    rewrite_keeping_size_and_times(big, bytes(data))
    after = fingerprint(str(big))
    assert after[:2] == (1, size)
    assert after[2] != digest


@pytest.mark.parametrize("size_off", [-1, 0, 1])
def test_files_of_exactly_a_part_are_read_whole(
    tmp_path: Path, small_parts: int, size_off: int
) -> None:
    path = tmp_path / "edge.bin"
    path.write_bytes(os.urandom(small_parts + size_off))
    assert fingerprint(str(path))[:2] == (1, small_parts + size_off)


def test_the_digest_does_not_depend_on_the_number_of_threads(
    tmp_path: Path, small_parts: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = folder(tmp_path)
    (root / "big.bin").write_bytes(os.urandom(5 * small_parts))
    found = set()
    for threads in (1, 2, 7):
        monkeypatch.setattr(filetree, "THREADS", threads)
        found.add(fingerprint(str(root)))
    assert len(found) == 1


def test_a_file_appearing_or_disappearing_in_a_subfolder_changes_the_fingerprint(
    tmp_path: Path,
) -> None:
    root = folder(tmp_path)
    first = fingerprint(str(root))
    (root / "day=2").mkdir()
    (root / "day=2" / "new.csv").write_bytes(b"")  # even empty, even in a new folder
    second = fingerprint(str(root))
    assert second[0] == first[0] + 1
    assert second[2] != first[2]
    (root / "day=1" / "a.csv").unlink()
    third = fingerprint(str(root))
    assert third[0] == first[0]
    assert third[2] not in (first[2], second[2])


def test_a_file_moved_to_another_subfolder_changes_the_fingerprint(tmp_path: Path) -> None:
    root = folder(tmp_path)
    first = fingerprint(str(root))
    (root / "day=2").mkdir()
    os.replace(root / "day=1" / "a.csv", root / "day=2" / "a.csv")
    second = fingerprint(str(root))
    assert second[:2] == first[:2]
    assert second[2] != first[2]


def test_hidden_files_count(tmp_path: Path) -> None:
    root = folder(tmp_path)
    first = fingerprint(str(root))
    (root / "_SUCCESS").write_bytes(b"x")
    assert fingerprint(str(root))[2] != first[2]


def test_linked_files_and_folders_are_fingerprinted_through_the_link(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "sub").mkdir(parents=True)
    (elsewhere / "lookup.csv").write_bytes(b"id\n1\n")
    (elsewhere / "sub" / "more.csv").write_bytes(b"id\n2\n")
    root = tmp_path / "inputs"
    root.mkdir()
    (root / "lookup.csv").symlink_to(elsewhere / "lookup.csv")
    (root / "linked").symlink_to(elsewhere / "sub")
    files, size, digest = fingerprint(str(root))
    assert (files, size) == (2, 10)
    rewrite_keeping_size_and_times(elsewhere / "lookup.csv", b"id\n3\n")
    assert fingerprint(str(root))[2] != digest
    digest = fingerprint(str(root))[2]
    rewrite_keeping_size_and_times(elsewhere / "sub" / "more.csv", b"id\n4\n")
    assert fingerprint(str(root))[2] != digest


def test_a_link_pointed_elsewhere_changes_the_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_bytes(b"id\n1\n")
    (tmp_path / "two.csv").write_bytes(b"id\n2\n")
    root = tmp_path / "inputs"
    root.mkdir()
    (root / "data.csv").symlink_to(tmp_path / "one.csv")
    first = fingerprint(str(root))
    (root / "data.csv").unlink()
    (root / "data.csv").symlink_to(tmp_path / "two.csv")
    assert fingerprint(str(root))[2] != first[2]


def test_a_single_linked_file_input_is_its_target(tmp_path: Path) -> None:
    (tmp_path / "target.csv").write_bytes(b"id\n1\n")
    (tmp_path / "input.csv").symlink_to(tmp_path / "target.csv")
    assert fingerprint(str(tmp_path / "input.csv"))[:2] == (1, 5)


def test_an_unreadable_file_is_an_error_naming_it(tmp_path: Path) -> None:
    """/proc/self/mem is a regular file whose first page cannot be read (EIO), even for root."""
    if not os.path.isfile("/proc/self/mem"):
        pytest.skip("needs Linux /proc")
    root = folder(tmp_path)
    (root / "day=1" / "broken.parquet").symlink_to("/proc/self/mem")
    with pytest.raises(InputError) as caught:
        fingerprint(str(root))
    assert "cannot read" in caught.value.message
    assert str(root / "day=1" / "broken.parquet") in caught.value.message


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root reads anything")
def test_a_file_without_read_permission_is_an_error_naming_it(tmp_path: Path) -> None:
    root = folder(tmp_path)
    secret = root / "day=1" / "a.csv"
    secret.chmod(0)
    try:
        with pytest.raises(InputError, match=r"cannot read .*a\.csv.*Permission denied"):
            fingerprint(str(root))
    finally:
        secret.chmod(0o644)


def test_the_watcher_sees_a_same_size_same_time_rewrite_between_checks(tmp_path: Path) -> None:
    root = folder(tmp_path)
    watched = WatchedInputs({"events": str(root)})
    watched.check({"production", "candidate"})
    assert watched.result()[0].changed_by == ()
    target = root / "b.parquet"
    rewrite_keeping_size_and_times(target, bytes(reversed(target.read_bytes())))
    watched.check({"candidate"})
    assert watched.result()[0].changed_by == ("candidate",)


def test_the_watcher_names_an_unreadable_input_before_the_runs(tmp_path: Path) -> None:
    if not os.path.isfile("/proc/self/mem"):
        pytest.skip("needs Linux /proc")
    root = folder(tmp_path)
    (root / "mem.bin").symlink_to("/proc/self/mem")
    with pytest.raises(InputError, match=r"input 'events': cannot read '.*mem\.bin'"):
        WatchedInputs({"events": str(root)})


def test_a_file_made_unreadable_during_the_runs_is_a_change(tmp_path: Path) -> None:
    if not os.path.isfile("/proc/self/mem"):
        pytest.skip("needs Linux /proc")
    root = folder(tmp_path)
    watched = WatchedInputs({"events": str(root)})
    (root / "b.parquet").unlink()
    (root / "b.parquet").symlink_to("/proc/self/mem")
    watched.check({"production"})
    assert watched.result()[0].changed_by == ("production",)

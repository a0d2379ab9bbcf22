"""Hostile inputs to `run`'s fingerprints: changes a stat-based check would miss, unreadable files.

The contract of tests/hostile.py: a change by a version fails the run and names that version; an
unreadable input is one error line naming the input and the file, before anything runs, and no
input file changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hostile import assert_error, snapshot
from test_hostile_runs import project, run

SNEAKY = r"""
import os, sys, time
path, out, how = sys.argv[1], sys.argv[2], sys.argv[3]
time.sleep(1.5)  # after production exited, most likely: then only the candidate is named
if how == "rewrite":  # the same bytes count, the times put back: only the content tells
    if os.path.isdir(path):
        path = os.path.join(path, "day=1", "events.csv")
    st = os.stat(path)
    data = open(path, "rb").read()
    open(path, "wb").write(data.replace(b"1,a", b"1,z"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
elif how == "add":
    os.makedirs(os.path.join(path, "day=2"), exist_ok=True)
    open(os.path.join(path, "day=2", "late.csv"), "w").close()
elif how == "remove":
    os.remove(os.path.join(path, "day=1", "events.csv"))
with open(os.path.join(out, "orders.csv"), "w") as fh:
    fh.write("id,value\n" + "".join(f"{i},{i * 10}\n" for i in range(1, 6)))
"""


def sneaky(tmp_path: Path, how: str, folder: bool) -> Path:
    """A project whose candidate changes its input ``how``; the input a folder or one file."""
    root = project(tmp_path)
    (root / "sneaky.py").write_text(SNEAKY)
    if folder:
        (root / "inputs" / "day=1").mkdir()
        os.replace(root / "inputs" / "events.csv", root / "inputs" / "day=1" / "events.csv")
    command = f'["{{python}}", "sneaky.py", "{{input.events}}", "{{output}}", "{how}"]'
    spec = (root / "dataops-diff.toml").read_text()
    spec = spec.replace("[candidate]\n", f"[candidate]\ncommand = {command}\n")
    if folder:
        spec = spec.replace('events = "inputs/events.csv"', 'events = "inputs"')
    (root / "dataops-diff.toml").write_text(spec)
    return root


@pytest.mark.parametrize(
    ("how", "folder"), [("rewrite", False), ("rewrite", True), ("add", True), ("remove", True)]
)
def test_a_version_changing_an_input_unseen_by_size_and_time_fails_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str, folder: bool
) -> None:
    root = sneaky(tmp_path, how, folder)
    target = root / "inputs" / ("day=1/events.csv" if folder else "events.csv")
    before = target.stat()
    outcome, report = run(capsys, root)
    assert outcome.code == 1, outcome.stderr
    assert report["verdict"]["status"] == "FAIL"
    (fp,) = report["run"]["inputs"]
    assert "candidate" in fp["changed_by"]  # production too if it was still running
    if how == "rewrite":  # the change a size-and-time check would have missed
        after = target.stat()
        assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)
        assert b"1,z" in target.read_bytes()


@pytest.mark.parametrize("inside", ["events.csv", "day=1/part.parquet", ".hidden/mem.bin"])
def test_an_unreadable_input_file_is_one_error_naming_it_before_the_runs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], inside: str
) -> None:
    """/proc/self/mem is a regular file whose first page cannot be read (EIO), even for root."""
    if not os.path.isfile("/proc/self/mem"):
        pytest.skip("needs Linux /proc")
    root = project(tmp_path)
    spec = (root / "dataops-diff.toml").read_text()
    spec = spec.replace("[inputs]\n", '[inputs]\nall = "inputs"\n')
    (root / "dataops-diff.toml").write_text(spec)
    bad = root / "inputs" / inside
    if bad.exists():
        bad.unlink()
    bad.parent.mkdir(parents=True, exist_ok=True)
    bad.symlink_to("/proc/self/mem")
    kept = snapshot(root / "job.py", root / "dataops-diff.toml")
    outcome, _ = run(capsys, root)
    assert_error(outcome, 2, "input 'all'", f"cannot read '{bad}'", "Input/output error")
    assert not (tmp_path / "run" / "production" / "stdout.log").exists()  # nothing started
    assert snapshot(root / "job.py", root / "dataops-diff.toml") == kept

"""Out of core on one machine: the default memory limit, spilling, and the private spill folder.

A diff that spills must equal the same diff in memory; the spill folder is removed after success,
an error and Ctrl-C; a full disk is one clear error line (exit 2), never a hang.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from dataops_diff import api
from dataops_diff.cli import main
from dataops_diff.datasets import open_dataset
from dataops_diff.engines import EngineConfig, get_engine, memory
from dataops_diff.engines.duckdb import DuckDBEngine
from dataops_diff.errors import MEMORY_LIMIT, EngineError, InputError, UsageError
from dataops_diff.model import DatasetDiff
from dataops_diff.spec import DatasetSpec

ROOT = Path(__file__).resolve().parent.parent
ROWS = 300_000
CLI = [sys.executable, "-m", "dataops_diff"]


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spill") / "data"
    _load_generator().generate(ROWS, 11, out, chunk_rows=100_000)
    return out


def _spill_entries(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(memory.SPILL_PREFIX))


# ------------------------------------------------------------------------------ memory limit
def test_default_memory_limit_is_half_of_usable_memory() -> None:
    usable = memory.usable_memory()
    assert usable is not None
    assert usable > 2**27
    physical = memory.physical_memory()
    assert physical is not None
    assert usable <= physical
    assert memory.default_memory_limit() == int(usable * memory.DEFAULT_SHARE)


def test_cgroup_v2_limit_caps_memory(tmp_path: Path) -> None:
    root = tmp_path / "cgroup"
    (root / "user.slice" / "job").mkdir(parents=True)
    (root / "memory.max").write_text("max\n")
    (root / "user.slice" / "job" / "memory.max").write_text(f"{3 * 2**30}\n")
    proc = tmp_path / "proc-cgroup"
    proc.write_text("0::/user.slice/job\n")
    assert memory.cgroup_limit(str(root), str(proc)) == 3 * 2**30
    (root / "user.slice" / "job" / "memory.max").write_text("max\n")
    assert memory.cgroup_limit(str(root), str(proc)) is None


def test_cgroup_v1_unlimited_is_no_limit(tmp_path: Path) -> None:
    folder = tmp_path / "cgroup" / "memory" / "docker" / "abc"
    folder.mkdir(parents=True)
    proc = tmp_path / "proc-cgroup"
    proc.write_text("4:memory:/docker/abc\n1:cpu:/\n")
    (folder / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    assert memory.cgroup_limit(str(tmp_path / "cgroup"), str(proc)) is None
    (folder / "memory.limit_in_bytes").write_text(f"{2**31}\n")
    assert memory.cgroup_limit(str(tmp_path / "cgroup"), str(proc)) == 2**31


@pytest.mark.parametrize(
    ("text", "size"),
    [("4GB", 4 * 10**9), ("4GiB", 4 * 2**30), ("512 mb", 512 * 10**6), ("1.5GiB", 3 * 2**29)],
)
def test_parse_size(text: str, size: int) -> None:
    assert memory.parse_size(text) == size


def test_parse_size_share_of_usable_memory() -> None:
    usable = memory.usable_memory()
    assert usable is not None
    assert memory.parse_size("25%") == int(usable * 0.25)


@pytest.mark.parametrize("text", ["lots", "4", "4 parsecs", "0%", "150%", "12KB"])
def test_parse_size_rejects_with_the_setting_named(text: str) -> None:
    with pytest.raises(UsageError, match=r"EngineConfig\.memory_limit") as caught:
        memory.parse_size(text)
    assert caught.value.settings == (MEMORY_LIMIT,)  # the CLI words it --memory-limit


def test_duckdb_gets_the_default_limit_and_a_private_spill_folder(tmp_path: Path) -> None:
    engine = DuckDBEngine(EngineConfig(temp_dir=str(tmp_path)))
    try:
        row = engine._con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
        assert row is not None
        limit, folder = row
        default = memory.default_memory_limit()
        assert default is not None
        value, unit = limit.split()
        assert unit == "GiB"
        # DuckDB's pool: the default whole-process limit less what the process holds
        assert 0.75 * default <= float(value) * 2**30 <= default
        assert Path(folder).parent == tmp_path
        assert Path(folder).name.startswith(memory.SPILL_PREFIX)
    finally:
        engine.close()
    assert _spill_entries(tmp_path) == []


def test_pool_is_what_the_limit_leaves() -> None:
    limit = memory.current_rss() + memory.OUTSIDE_POOL + 2**30
    assert (memory.POOL_SHARE - 0.05) * 2**30 < memory.pool_size(limit) <= memory.POOL_SHARE * 2**30
    with pytest.raises(UsageError, match="this process already holds"):
        memory.pool_size(memory.current_rss())


def _limit(pool: int) -> str:
    """A --memory-limit that leaves DuckDB a pool of about ``pool`` bytes in this process."""
    size = memory.current_rss() + memory.OUTSIDE_POOL + pool / memory.POOL_SHARE
    return f"{int(size)}B"


def test_bad_memory_limit_is_a_usage_error_and_leaves_no_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"EngineConfig\.memory_limit 'plenty'"):
        DuckDBEngine(EngineConfig(memory_limit="plenty", temp_dir=str(tmp_path)))
    assert _spill_entries(tmp_path) == []


def test_missing_temp_dir_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"EngineConfig\.temp_dir"):
        DuckDBEngine(EngineConfig(temp_dir=str(tmp_path / "nope")))


# ------------------------------------------------------------------------------ spill folder
def test_stale_spill_folders_are_swept_and_live_ones_kept(tmp_path: Path) -> None:
    stale = tmp_path / f"{memory.SPILL_PREFIX}dead"
    stale.mkdir()
    (stale / "duckdb_temp_block.tmp").write_bytes(b"x" * 100)
    live = memory.SpillFolder(str(tmp_path))
    old = time.time() - 2 * memory.STALE_SECONDS
    os.utime(stale, (old, old))
    os.utime(live.path, (old, old))
    fresh = tmp_path / f"{memory.SPILL_PREFIX}just-made"
    fresh.mkdir()
    other = tmp_path / "unrelated"
    other.mkdir()
    os.utime(other, (old, old))
    try:
        second = memory.SpillFolder(str(tmp_path))
        assert not stale.exists()  # unlocked and old: its process is gone
        assert Path(live.path).exists()  # locked by a live SpillFolder
        assert fresh.exists()  # may be a process between mkdtemp and flock
        assert other.exists()
        second.remove()
        second.remove()  # safe twice
        assert not Path(second.path).exists()
    finally:
        live.remove()


def test_spill_folder_removed_after_an_error(tmp_path: Path, data: Path) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"not parquet at all")
    spill = tmp_path / "spill"
    spill.mkdir()
    with pytest.raises(InputError, match=r"broken\.parquet"):
        api.compare(
            str(data / "production.parquet"),
            str(broken),
            DatasetSpec(key=("id",)),
            engine_config=EngineConfig(temp_dir=str(spill)),
        )
    assert _spill_entries(spill) == []


# ---------------------------------------------------------------------------------- spilling
def _diff(data: Path, config: EngineConfig) -> tuple[DatasetDiff, int]:
    """The diff, and the most bytes seen in its spill folder while it ran."""
    engine = get_engine("duckdb", config)
    assert isinstance(engine, DuckDBEngine)
    folder, peak, done = Path(engine._temp_dir), [0], threading.Event()

    def watch() -> None:
        while not done.wait(0.02):
            try:
                size = sum(p.stat().st_size for p in folder.iterdir())
            except OSError:
                continue
            peak[0] = max(peak[0], size)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        production = open_dataset(str(data / "production.parquet"), "production")
        candidate = open_dataset(str(data / "candidate.parquet"), "candidate")
        diff = engine.diff(production, candidate, DatasetSpec(key=("id",)))
    finally:
        done.set()
        thread.join()
        engine.close()
    assert not folder.exists()
    return diff, peak[0]


def test_spilled_diff_equals_in_memory_diff(data: Path, tmp_path: Path) -> None:
    # One thread: DuckDB's smallest workable pool grows with threads. 40 MiB spills; 64 MiB did
    # only while the profiles used ``histogram`` (which DuckDB plans as a grouped aggregate).
    spilled, spilled_bytes = _diff(
        data, EngineConfig(memory_limit=_limit(40 * 2**20), threads=1, temp_dir=str(tmp_path))
    )
    in_memory, in_memory_bytes = _diff(data, EngineConfig(threads=1, temp_dir=str(tmp_path)))
    assert spilled_bytes > 10 * 2**20, "the small limit did not make DuckDB spill"
    assert in_memory_bytes == 0
    assert spilled == in_memory
    assert spilled.matched_rows > 0
    assert spilled.rows_with_differences > 0
    assert _spill_entries(tmp_path) == []


# ------------------------------------------------------------------------------ CLI contract
def _cli(data: Path, *extra: str) -> list[str]:
    files = [str(data / "production.parquet"), str(data / "candidate.parquet")]
    return [*CLI, "compare", *files, "--key", "id", "--quiet", *extra]


def test_ctrl_c_mid_diff_exits_130_and_removes_the_spill_folder(data: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        _cli(data, "--temp-dir", str(tmp_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 60
    while not _spill_entries(tmp_path) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "the diff ended before it could be interrupted"
    assert _spill_entries(tmp_path), "no spill folder appeared"
    time.sleep(0.2)  # into the diff itself
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err.decode()
    assert err.decode().strip().splitlines()[-1].endswith("interrupted")
    assert _spill_entries(tmp_path) == []


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MiB tmpfs: a real full disk. Skipped where mounting is not permitted."""
    mount = shutil.which("mount")
    folder = tmp_path / "tiny"
    folder.mkdir()
    if mount is None or not sys.platform.startswith("linux"):
        pytest.skip("needs Linux mount to make a small disk")
    done = subprocess.run(
        [mount, "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def test_full_disk_is_one_clear_error(
    data: Path, tiny_disk: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The CLI in this process, DuckDB on one thread: how much a diff spills (and whether a small
    pool suffices at all) depends on the thread count, which must not make this test flaky."""

    def one_thread(name: str, config: EngineConfig | None = None) -> Any:
        assert config is not None
        return get_engine(name, replace(config, threads=1))

    monkeypatch.setattr(api, "get_engine", one_thread)
    files = [str(data / "production.parquet"), str(data / "candidate.parquet")]
    flags = ["--key", "id", "--quiet", "--memory-limit", _limit(40 * 2**20)]
    code = main(["compare", *files, *flags, "--temp-dir", str(tiny_disk)])
    lines = capsys.readouterr().err.strip().splitlines()
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert lines[0].startswith("dataops-diff: error: ")
    assert "--memory-limit" in lines[0] or "temp" in lines[0]  # DuckDB's cap, or ENOSPC
    assert _spill_entries(tiny_disk) == []


def test_full_disk_mid_write_maps_to_engine_error(data: Path, tiny_disk: Path) -> None:
    """DuckDB caps spilling at 90% of the free space; past the cap, writes fail with ENOSPC."""
    config = EngineConfig(memory_limit=_limit(40 * 2**20), threads=1, temp_dir=str(tiny_disk))
    engine = DuckDBEngine(config)
    try:
        engine._con.execute("SET max_temp_directory_size = '1GB'")
        production = open_dataset(str(data / "production.parquet"), "production")
        candidate = open_dataset(str(data / "candidate.parquet"), "candidate")
        with pytest.raises(EngineError, match="No space left on device") as info:
            engine.diff(production, candidate, DatasetSpec(key=("id",)))
        assert "\n" not in info.value.message
    finally:
        engine.close()
    assert _spill_entries(tiny_disk) == []

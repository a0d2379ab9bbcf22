"""A report path never destroys data: checked before any work, for compare, run and report.

Each case asserts the hostile-input contract (tests/hostile.py): exit 2, one stderr line naming the
flag, the path and the reason, and every input file byte for byte unchanged.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import threading
from pathlib import Path

import pytest
from hostile import Outcome, assert_error, invoke, snapshot

from dataops_diff import api
from dataops_diff.cli.outputs import write_text

FLAGS = ("--json", "--html", "--markdown", "--junit")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """production.csv and candidate.csv (one changed value), the working folder their folder."""
    monkeypatch.chdir(tmp_path)
    prod, cand = tmp_path / "production.csv", tmp_path / "candidate.csv"
    prod.write_text("id,v\n1,a\n2,b\n", encoding="utf-8")
    cand.write_text("id,v\n1,a\n2,c\n", encoding="utf-8")
    return prod, cand


@pytest.fixture
def folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """Two output folders with one dataset each."""
    monkeypatch.chdir(tmp_path)
    for side, value in (("prod", "b"), ("cand", "c")):
        (tmp_path / side).mkdir()
        (tmp_path / side / "orders.csv").write_text(f"id,v\n1,a\n2,{value}\n", encoding="utf-8")
    return tmp_path / "prod", tmp_path / "cand"


def _compare(
    capsys: pytest.CaptureFixture[str], prod: Path, cand: Path, *extra: str | Path
) -> Outcome:
    return invoke(capsys, "compare", prod, cand, "--key", "id", "--quiet", *extra)


@pytest.mark.parametrize("flag", FLAGS)
def test_report_over_the_candidate_file(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], flag: str
) -> None:
    prod, cand = files
    before = snapshot(prod, cand)
    out = _compare(capsys, prod, cand, flag, cand)
    assert_error(out, 2, flag, str(cand), "is the candidate input", "elsewhere")
    assert snapshot(prod, cand) == before


@pytest.mark.parametrize("flag", FLAGS)
def test_report_over_the_production_file_by_a_dotdot_path(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path, flag: str
) -> None:
    prod, cand = files
    (tmp_path / "sub").mkdir()
    before = snapshot(prod, cand)
    out = _compare(capsys, prod, cand, flag, "sub/../production.csv")
    assert_error(out, 2, flag, "production.csv", "is the production input")
    assert snapshot(prod, cand) == before


def test_report_through_a_symlink_to_an_input(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    prod, cand = files
    (tmp_path / "report.json").symlink_to(cand)
    before = snapshot(prod, cand)
    out = _compare(capsys, prod, cand, "--json", "report.json")
    assert_error(out, 2, "--json report.json", "is the candidate input")
    assert snapshot(prod, cand) == before


def test_report_through_a_hard_link_to_an_input(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    prod, cand = files
    os.link(prod, tmp_path / "report.html")
    before = snapshot(prod, cand)
    out = _compare(capsys, prod, cand, "--html", "report.html")
    assert_error(out, 2, "--html report.html", "is the production input")
    assert snapshot(prod, cand) == before


def test_input_given_through_a_symlinked_folder(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    prod, cand = files
    (tmp_path / "alias").symlink_to(tmp_path)
    before = snapshot(prod, cand)
    out = _compare(capsys, Path("alias") / "production.csv", cand, "--markdown", prod)
    assert_error(out, 2, "--markdown", "is the production input")
    assert snapshot(prod, cand) == before


@pytest.mark.parametrize("flag", FLAGS)
def test_report_inside_a_compared_folder(
    capsys: pytest.CaptureFixture[str], folders: tuple[Path, Path], flag: str
) -> None:
    prod, cand = folders
    before = snapshot(prod, cand)
    out = _compare(capsys, prod, cand, flag, cand / "report.out")
    assert_error(out, 2, flag, "is inside the candidate input", "outside it")
    assert snapshot(prod, cand) == before
    assert not (cand / "report.out").exists()


def test_report_over_a_dataset_inside_a_compared_folder(
    capsys: pytest.CaptureFixture[str], folders: tuple[Path, Path]
) -> None:
    prod, cand = folders
    before = snapshot(prod, cand)
    out = _compare(capsys, prod, cand, "--json", prod / "orders.csv")
    assert_error(out, 2, "--json", "orders.csv", "is inside the production input")
    assert snapshot(prod, cand) == before


def test_report_inside_a_run_folder(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    prod, cand = files
    logs = tmp_path / ".dataops-diff" / "runs" / "20240101T000000Z-abc" / "production"
    logs.mkdir(parents=True)
    (logs / "stdout.log").write_text("earlier run\n", encoding="utf-8")
    before = snapshot(prod, cand, logs)
    out = _compare(capsys, prod, cand, "--json", logs / "stdout.log")
    assert_error(out, 2, "--json", "stdout.log", "inside the run folder", ".dataops-diff/runs")
    assert snapshot(prod, cand, logs) == before


def test_report_inside_an_earlier_custom_run_dir(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    """A folder laid out as a run (--run-dir ci-run earlier) is recognised wherever it is."""
    prod, cand = files
    run = tmp_path / "ci-run"
    for side in ("production", "candidate"):
        (run / side / "output").mkdir(parents=True)
        (run / side / "stderr.log").write_text("log\n", encoding="utf-8")
    before = snapshot(prod, cand, run)
    out = _compare(capsys, prod, cand, "--markdown", "ci-run/candidate/stderr.log")
    assert_error(out, 2, "--markdown", "inside the run folder", "ci-run", "outside it")
    assert snapshot(prod, cand, run) == before


def test_step_summary_pointing_at_an_input(
    capsys: pytest.CaptureFixture[str],
    files: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    prod, cand = files
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(prod))
    before = snapshot(prod, cand)
    out = _compare(capsys, prod, cand)
    assert_error(out, 2, "GITHUB_STEP_SUMMARY", "production.csv", "is the production input")
    assert snapshot(prod, cand) == before


def test_two_reports_on_one_path(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]
) -> None:
    prod, cand = files
    out = _compare(capsys, prod, cand, "--json", "report.out", "--html", "./report.out")
    assert_error(out, 2, "--html report.out", "also the path of --json", "its own path")
    assert not Path("report.out").exists()


def test_report_folder_missing(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]
) -> None:
    prod, cand = files
    out = _compare(capsys, prod, cand, "--junit", "missing/junit.xml")
    assert_error(out, 2, "--junit missing/junit.xml", "'missing' does not exist", "create it")


def test_report_path_is_a_folder(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    prod, cand = files
    (tmp_path / "out").mkdir()
    out = _compare(capsys, prod, cand, "--html", "out")
    assert_error(out, 2, "--html out is a folder", "out/report.html")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_report_folder_not_writable(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    prod, cand = files
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        out = _compare(capsys, prod, cand, "--json", locked / "r.json")
    finally:
        locked.chmod(0o700)
    assert_error(out, 2, "--json", "not writable")


def test_refused_before_any_work(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No dataset is read when a report path is refused."""
    prod, cand = files

    def fail(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("compared although a report path is refused")

    monkeypatch.setattr(api, "compare", fail)
    out = _compare(capsys, prod, cand, "--json", cand)
    assert_error(out, 2, "--json")


def test_reports_next_to_the_inputs_are_written(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    prod, cand = files
    before = snapshot(prod, cand)
    out = _compare(capsys, prod, cand, *(a for f in FLAGS for a in (f, f"report{f[1:]}")))
    assert out.code == 1, out.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(["candidate.csv", "production.csv"] + [f"report{f[1:]}" for f in FLAGS])
    assert snapshot(prod, cand) == before


def test_report_to_a_named_pipe_is_written_in_place(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    prod, cand = files
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(
        target=lambda: received.append(fifo.read_text(encoding="utf-8")), daemon=True
    )
    reader.start()
    out = _compare(capsys, prod, cand, "--json", fifo)
    reader.join(timeout=60)
    assert out.code == 1, out.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still the pipe, not replaced by a file
    assert json.loads(received[0])["verdict"]["status"] == "FAIL"


def test_report_to_dev_null(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path]) -> None:
    prod, cand = files
    out = _compare(capsys, prod, cand, "--markdown", "/dev/null")
    assert out.code == 1, out.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_report_through_a_symlink_writes_its_target(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path
) -> None:
    prod, cand = files
    (tmp_path / "reports").mkdir()
    (tmp_path / "latest.json").symlink_to(tmp_path / "reports" / "r.json")
    out = _compare(capsys, prod, cand, "--json", "latest.json")
    assert out.code == 1, out.stderr
    assert (tmp_path / "latest.json").is_symlink()
    assert json.loads((tmp_path / "reports" / "r.json").read_text(encoding="utf-8"))["datasets"]


def test_a_failed_write_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("the previous report\n", encoding="utf-8")
    with pytest.raises(UnicodeEncodeError):
        write_text(target, "half \ud800 of a report", "--markdown")
    assert target.read_text(encoding="utf-8") == "the previous report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.md"]


def test_compare_sigterm_is_an_interrupt(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM (CI cancellation) during compare exits 130, as Ctrl-C does, not 143."""
    prod, cand = files

    def terminated(*_args: object, **_kwargs: object) -> None:
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(api, "compare", terminated)
    previous = signal.getsignal(signal.SIGTERM)
    out = _compare(capsys, prod, cand)
    assert out.code == 130
    assert out.stderr.strip() == "dataops-diff: interrupted"
    assert signal.getsignal(signal.SIGTERM) == previous  # restored afterwards


# --------------------------------------------------------------------------------- report
@pytest.fixture
def saved(capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], tmp_path: Path) -> Path:
    prod, cand = files
    out = _compare(capsys, prod, cand, "--json", "saved.json")
    assert out.code == 1, out.stderr
    return tmp_path / "saved.json"


def test_report_rerender_over_the_saved_report(
    capsys: pytest.CaptureFixture[str], saved: Path
) -> None:
    before = snapshot(saved)
    out = invoke(capsys, "report", saved, "--json", "./saved.json", "--quiet")
    assert_error(out, 2, "--json saved.json", "is the saved report")
    assert snapshot(saved) == before


@pytest.mark.parametrize("flag", FLAGS)
def test_report_rerender_over_what_the_saved_report_compared(
    capsys: pytest.CaptureFixture[str], files: tuple[Path, Path], saved: Path, flag: str
) -> None:
    prod, cand = files
    before = snapshot(prod, cand, saved)
    out = invoke(capsys, "report", saved, flag, cand.name, "--quiet")
    assert_error(out, 2, flag, "candidate.csv", "is the candidate input of the saved report")
    assert snapshot(prod, cand, saved) == before


def test_report_rerender_two_flags_one_path(
    capsys: pytest.CaptureFixture[str], saved: Path
) -> None:
    out = invoke(capsys, "report", saved, "--markdown", "x.out", "--junit", "x.out", "--quiet")
    assert_error(out, 2, "--junit x.out", "also the path of --markdown")


def _saved_run(saved: Path, run_dir: Path, inputs: list[dict[str, object]]) -> None:
    """Turn the saved compare report into a run's report (run folder ``run_dir``)."""
    data = json.loads(saved.read_text(encoding="utf-8"))
    data["command"] = "run"
    data["run"] = {
        "run_id": "r1",
        "run_dir": str(run_dir),
        "production": _record("production", run_dir),
        "candidate": _record("candidate", run_dir),
        "inputs": inputs,
    }
    saved.write_text(json.dumps(data), encoding="utf-8")


def test_report_rerender_into_the_saved_run_folder(
    capsys: pytest.CaptureFixture[str], saved: Path, tmp_path: Path
) -> None:
    run_dir = tmp_path / "somewhere" / "r1"
    (run_dir / "production").mkdir(parents=True)
    _saved_run(saved, run_dir, [])
    out = invoke(capsys, "report", saved, "--html", run_dir / "production" / "x.html", "--quiet")
    assert_error(out, 2, "--html", "inside the run folder of the saved report")


def test_report_rerender_over_an_input_of_the_saved_run(
    capsys: pytest.CaptureFixture[str], saved: Path, tmp_path: Path
) -> None:
    events = tmp_path / "events.csv"
    events.write_text("id\n1\n", encoding="utf-8")
    fingerprint = {"path": str(events), "files": 1, "bytes": 5, "digest": "0" * 64}
    _saved_run(saved, tmp_path / "r1", [fingerprint])
    before = snapshot(events)
    out = invoke(capsys, "report", saved, "--junit", "events.csv", "--quiet")
    assert_error(out, 2, "--junit events.csv", "is an input of the saved run")
    assert snapshot(events) == before


def _record(side: str, run_dir: Path) -> dict[str, object]:
    return {
        "side": side, "command": ["job"], "cwd": ".", "output_dir": str(run_dir / side / "output"),
        "status": "succeeded", "exit_code": 0,
    }  # fmt: skip


# ------------------------------------------------------------------------------------ run
@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A run spec with one declared input; nothing in these tests gets as far as running it."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "events.csv").write_text("id\n1\n", encoding="utf-8")
    path = tmp_path / "dataops-diff.toml"
    path.write_text(
        '[pipeline]\ncommand = ["python", "job.py", "{output}"]\n'
        '[inputs]\nevents = "inputs/events.csv"\n[datasets.orders]\nkey = ["id"]\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("flag", FLAGS)
def test_run_report_over_a_declared_input(
    capsys: pytest.CaptureFixture[str], spec: Path, tmp_path: Path, flag: str
) -> None:
    before = snapshot(tmp_path)
    out = invoke(capsys, "run", "--spec", spec, flag, "inputs/events.csv", "--quiet")
    assert_error(out, 2, flag, "events.csv", "is input 'events'")
    assert snapshot(tmp_path) == before
    assert not (tmp_path / ".dataops-diff").exists()  # refused before the run started


def test_run_report_over_the_spec(
    capsys: pytest.CaptureFixture[str], spec: Path, tmp_path: Path
) -> None:
    before = snapshot(tmp_path)
    out = invoke(capsys, "run", "--spec", spec, "--json", "dataops-diff.toml", "--quiet")
    assert_error(out, 2, "--json dataops-diff.toml", "is the spec file")
    assert snapshot(tmp_path) == before


def test_run_report_inside_its_own_run_dir(
    capsys: pytest.CaptureFixture[str], spec: Path, tmp_path: Path
) -> None:
    out = invoke(capsys, "run", "--spec", spec, "--run-dir", "r", "--html", "r/report.html")
    assert_error(out, 2, "--html r/report.html", "inside the run folder (--run-dir)")
    assert not (tmp_path / "r").exists()


def test_run_report_inside_an_earlier_run(
    capsys: pytest.CaptureFixture[str], spec: Path, tmp_path: Path
) -> None:
    earlier = tmp_path / ".dataops-diff" / "runs" / "old" / "candidate"
    earlier.mkdir(parents=True)
    (earlier / "stderr.log").write_text("log\n", encoding="utf-8")
    before = snapshot(tmp_path)
    out = invoke(capsys, "run", "--spec", spec, "--markdown", earlier / "stderr.log", "-q")
    assert_error(out, 2, "--markdown", "inside the run folder")
    assert snapshot(tmp_path) == before


# --------------------------------------------------------------------------------- policy file
@pytest.mark.parametrize("command", ["compare", "report", "run"])
def test_report_over_the_policy_file(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    policy = tmp_path / "policy.toml"
    policy.write_text('max_changed_rows = "50%"\n', encoding="utf-8")
    (tmp_path / "p.csv").write_text("id\n1\n", encoding="utf-8")
    (tmp_path / "saved.json").write_text("{}", encoding="utf-8")
    (tmp_path / "dataops-diff.toml").write_text(
        '[pipeline]\ncommand = ["python", "job.py", "{output}"]\n', encoding="utf-8"
    )
    first = {"compare": ["compare", "p.csv", "p.csv", "--key", "id"], "report": ["report",
             "saved.json"], "run": ["run"]}[command]  # fmt: skip
    before = snapshot(tmp_path)
    out = invoke(capsys, *first, "--policy", "policy.toml", "--junit", "./policy.toml", "-q")
    assert_error(out, 2, "--junit policy.toml", "is the policy file (--policy)")
    assert snapshot(tmp_path) == before

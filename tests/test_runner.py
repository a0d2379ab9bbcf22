"""The runner with real subprocesses: concurrency, isolation, records, failures, timeouts."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest
from test_runner_support import JOB, alive

from dataops_diff.errors import RunError
from dataops_diff.model import RunComparison
from dataops_diff.shadow import run as shadow
from dataops_diff.shadow.gitrefs import checkout
from dataops_diff.shadow.observe import output_bytes, read_counters, stderr_tail
from dataops_diff.shadow.processes import RunState, run_versions
from dataops_diff.spec import RunSpec, parse


def make_spec(tmp_path: Path, production_env: str = "", candidate_env: str = "",
              timeout: float = 20, command: str = '["{python}", "job.py"]') -> RunSpec:  # fmt: skip
    """A working-tree spec (no git) over the test job."""
    (tmp_path / "job.py").write_text(JOB)
    (tmp_path / "inputs").mkdir(exist_ok=True)
    (tmp_path / "inputs" / "events.csv").write_text("id,kind\n1,a\n")
    text = f"""
[pipeline]
command = {command}
timeout = {timeout}
env = {{ JOB_SLEEP = "0.2" }}
[production]
env = {{ {production_env} }}
[candidate]
env = {{ {candidate_env} }}
[inputs]
events = "inputs/events.csv"
[defaults]
key = ["id"]
"""
    path = tmp_path / "dataops-diff.toml"
    path.write_text(text)
    import tomllib

    return parse(tomllib.loads(text), str(path))


def execute(spec: RunSpec, tmp_path: Path) -> RunComparison:
    return shadow.execute(spec, str(tmp_path / "run"))


def times(side_dir: str) -> tuple[float, float]:
    start, end = Path(side_dir, "times").read_text().split()
    return float(start), float(end)


def test_both_versions_run_at_the_same_time(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, 'JOB_SLEEP = "0.5"', 'JOB_SLEEP = "0.5"')
    run = execute(spec, tmp_path)
    p_start, p_end = times(os.path.dirname(run.production.output_dir))
    c_start, c_end = times(os.path.dirname(run.candidate.output_dir))
    assert max(p_start, c_start) < min(p_end, c_end)  # the two intervals overlap


def test_each_version_writes_only_to_its_own_output(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, 'JOB_DATASETS = "orders"', 'JOB_DATASETS = "orders,extra"')
    run = execute(spec, tmp_path)
    run_dir = tmp_path / "run"
    assert run.run_dir == str(run_dir)
    assert run.production.output_dir == str(run_dir / "production" / "output")
    assert run.candidate.output_dir == str(run_dir / "candidate" / "output")
    assert sorted(os.listdir(run.production.output_dir)) == ["orders.csv"]
    assert sorted(os.listdir(run.candidate.output_dir)) == ["extra.csv", "orders.csv"]
    assert sorted(os.listdir(run_dir)) == ["candidate", "production"]
    assert sorted(os.listdir(tmp_path)) == ["dataops-diff.toml", "inputs", "job.py", "run"]


def test_record_holds_exit_code_logs_memory_command_and_counters(tmp_path: Path) -> None:
    counters = """JOB_COUNTERS = '{{"rows_dropped": 2, "parse_failures": 0.5}}'"""
    spec = make_spec(tmp_path, counters + ', JOB_STDERR = "warn: x\\nlast line"')
    run = execute(spec, tmp_path)
    p = run.production
    assert p.side == "production"
    assert p.status == "succeeded"
    assert p.exit_code == 0
    assert p.duration_seconds > 0
    assert p.peak_memory_bytes is not None
    assert p.peak_memory_bytes > 1_000_000  # a Python interpreter: megabytes, in bytes
    assert p.command == (sys.executable, "job.py")
    assert p.cwd == str(tmp_path)
    assert Path(p.stdout_log).read_text() == "done production\n"
    assert p.stderr_tail == ("warn: x", "last line")
    assert p.counters == {"rows_dropped": 2.0, "parse_failures": 0.5}
    assert p.git_ref is None
    assert p.warnings == ()
    assert run.candidate.counters == {}  # wrote none: no counters, no warning
    assert run.candidate.warnings == ()
    assert re.fullmatch(r"[0-9a-f]{64}", run.inputs[0].digest)
    assert run.inputs[0].path == str(tmp_path / "inputs" / "events.csv")
    assert (run.inputs[0].files, run.inputs[0].bytes) == (1, len("id,kind\n1,a\n"))
    assert run.inputs[0].changed_by == ()


def test_environment_variables_and_placeholders(tmp_path: Path) -> None:
    printer = (
        '["{python}", "-c", "import os, sys; e = os.environ; print(sys.argv[1:], '
        "e['DATAOPS_DIFF_SIDE'], e['DATAOPS_DIFF_OUTPUT'], e['DATAOPS_DIFF_COUNTERS'])\", "
        '"{output}", "{input.events}", "{side}", "{root}", "{{x}}"]'
    )
    run = execute(make_spec(tmp_path, command=printer), tmp_path)
    out = Path(run.candidate.stdout_log).read_text().strip()
    side_dir = tmp_path / "run" / "candidate"
    expected = [str(side_dir / "output"), str(tmp_path / "inputs" / "events.csv"), "candidate",
                str(tmp_path), "{x}"]  # fmt: skip
    assert out == f"{expected} candidate {side_dir / 'output'} {side_dir / 'counters.json'}"


def test_a_crash_is_recorded_with_its_stderr_tail(tmp_path: Path) -> None:
    lines = "\\n".join(f"line {i}" for i in range(30))
    spec = make_spec(tmp_path, candidate_env=f'JOB_EXIT = "3", JOB_STDERR = "{lines}\\nboom"')
    run = execute(spec, tmp_path)
    c = run.candidate
    assert (c.status, c.exit_code) == ("failed", 3)
    assert len(c.stderr_tail) == 20
    assert c.stderr_tail[-1] == "boom"
    assert c.stderr_tail[0] == "line 11"
    assert run.production.status == "succeeded"


def test_a_command_that_cannot_start(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    spec = parse(
        {"pipeline": {"command": ["{python}", "job.py"]},
         "candidate": {"command": [str(tmp_path / "no-such-program")]}},
        spec.path,
    )  # fmt: skip
    run = execute(spec, tmp_path)
    assert run.candidate.status == "not_started"
    assert run.candidate.exit_code is None
    assert "cannot start" in run.candidate.stderr_tail[0]
    assert run.production.status == "succeeded"


def test_timeout_stops_the_whole_process_group(tmp_path: Path) -> None:
    # production must finish within the timeout even on a loaded machine: it does not sleep
    candidate = 'JOB_SLEEP = "30", JOB_CHILD = "1"'
    spec = make_spec(tmp_path, 'JOB_SLEEP = "0"', candidate, timeout=2)
    run = execute(spec, tmp_path)
    c = run.candidate
    assert (c.status, c.exit_code) == ("timed_out", None)
    assert c.duration_seconds < 10
    pid, child = map(int, (tmp_path / "run" / "candidate" / "pids").read_text().split())
    assert not alive(pid)
    assert not alive(child)
    assert run.production.status == "succeeded"


def test_sigterm_ignored_escalates_to_sigkill(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, 'JOB_SLEEP = "0"', 'JOB_SLEEP = "30", JOB_IGNORE_TERM = "1"')
    run_dir = shadow.make_run_dir(str(tmp_path / "run"))
    launches = tuple(shadow.launch_for(spec, checkout(side, None, spec.base_dir), run_dir)
                     for side in shadow.SIDES)  # fmt: skip
    (prod, cand), _ = run_versions((launches[0], launches[1]), {}, timeout=2, grace=0.3)
    assert cand.status == "timed_out"
    assert prod.status == "succeeded"


def test_processes_left_behind_are_stopped(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, production_env='JOB_CHILD = "1", JOB_SLEEP = "0"')
    run = execute(spec, tmp_path)
    assert run.production.status == "succeeded"
    _, child = map(int, (tmp_path / "run" / "production" / "pids").read_text().split())
    assert not alive(child)
    assert run.production.warnings == ("processes left running in its process group were stopped",)


def test_an_input_changed_by_a_version_is_reported(tmp_path: Path) -> None:
    events = tmp_path / "inputs" / "events.csv"
    spec = make_spec(tmp_path, 'JOB_SLEEP = "0"', f'JOB_SLEEP = "0.6", JOB_MUTATE = "{events}"')
    before = events.read_text()
    run = execute(spec, tmp_path)
    (fp,) = run.inputs
    assert "candidate" in fp.changed_by
    assert run.mutated_inputs == (fp,)
    assert events.read_text() == before + "mutated\n"
    assert fp.bytes == len(before)  # the fingerprint taken before the runs


def test_bad_counters_are_a_warning_not_a_crash(tmp_path: Path) -> None:
    spec = make_spec(tmp_path, """JOB_COUNTERS = '{{not json'""",
                     """JOB_COUNTERS = '{{"ok": 1, "bad": "x", "flag": true}}'""")  # fmt: skip
    run = execute(spec, tmp_path)
    assert run.production.status == "succeeded"
    assert run.production.counters == {}
    assert len(run.production.warnings) == 1
    assert "is not valid JSON" in run.production.warnings[0]
    assert run.candidate.counters == {"ok": 1.0}
    assert [w.split("'")[1] for w in run.candidate.warnings] == ["bad", "flag"]


def test_on_tick_reports_both_versions(tmp_path: Path) -> None:
    # production ends well before candidate, between two of the display's size samples
    spec = make_spec(tmp_path, 'JOB_SLEEP = "0.1"', 'JOB_SLEEP = "1.5"')
    run_dir = shadow.make_run_dir(str(tmp_path / "run"))
    launches = tuple(shadow.launch_for(spec, checkout(side, None, spec.base_dir), run_dir)
                     for side in shadow.SIDES)  # fmt: skip
    seen: list[tuple[RunState, ...]] = []
    run_versions((launches[0], launches[1]), {}, on_tick=seen.append)
    assert [s.side for s in seen[0]] == ["production", "candidate"]
    assert {s.status for s in seen[0]} <= {"running", "succeeded"}
    assert [s.status for s in seen[-1]] == ["succeeded", "succeeded"]
    assert seen[-1][0].output_bytes == output_bytes(launches[0].output_dir) > 0
    # the first tick that shows a version ended shows its final size, not the last sample's
    for i, side in enumerate(shadow.SIDES):
        ended = next(states[i] for states in seen if states[i].status == "succeeded")
        assert ended.output_bytes == output_bytes(launches[i].output_dir) > 0, side


def test_run_dir_is_never_reused(tmp_path: Path) -> None:
    shadow.make_run_dir(str(tmp_path / "r"))
    with pytest.raises(RunError, match="already exists; pass a new run_dir"):
        shadow.make_run_dir(str(tmp_path / "r"))


def test_run_ids_sort_by_time() -> None:
    run_id = shadow.new_run_id()
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", run_id)


def test_stderr_tail_of_a_large_log(tmp_path: Path) -> None:
    log = tmp_path / "stderr.log"
    log.write_bytes(b"".join(f"line {i}\n".encode() for i in range(20_000)) + b"\xff end\n")
    tail = stderr_tail(str(log), 3)
    assert tail == ("line 19998", "line 19999", "\ufffd end")
    assert stderr_tail(str(tmp_path / "missing.log")) == ()


def test_read_counters(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    assert read_counters(str(path)) == ({}, [])
    path.write_text(json.dumps([1, 2]))
    counters, warnings = read_counters(str(path))
    assert counters == {}
    assert "must hold a JSON object of numbers" in warnings[0]
    path.write_text('{"a": 1, "b": NaN}')
    counters, warnings = read_counters(str(path))
    assert counters == {"a": 1.0}
    assert "'b'" in warnings[0]


def test_run_dir_inside_an_input_is_refused(tmp_path: Path) -> None:
    spec = make_spec(tmp_path)
    spec = parse({"pipeline": {"command": ["x"]}, "inputs": {"all": "."}}, spec.path)
    with pytest.raises(RunError, match="is inside input 'all'"):
        shadow.execute(spec, str(tmp_path / "run"))
    assert not (tmp_path / "run").exists()

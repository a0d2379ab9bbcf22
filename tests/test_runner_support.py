"""Shared by the shadow-run tests: a configurable pipeline, a temporary git repo, process checks.

The job (JOB) is plain Python driven by environment variables, so one script can crash, hang,
spawn a child, mutate an input or write counters on demand:

- JOB_SLEEP seconds to sleep before writing outputs (default 0.2)
- JOB_EXIT exit code; JOB_STDERR text printed to stderr
- JOB_DATASETS comma-separated dataset names written as NAME.csv (default "orders")
- JOB_OFFSET added to every value (makes the candidate differ)
- JOB_CHILD=1 start a child process that sleeps, and write "pid child_pid" to <side dir>/pids
- JOB_MUTATE path of a file to append to (an input, to test immutability)
- JOB_COUNTERS text written verbatim to $DATAOPS_DIFF_COUNTERS
- JOB_IGNORE_TERM=1 ignore SIGTERM (to test the SIGKILL escalation)
Every run writes "<start> <end>" (time.time()) to <side dir>/times.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

JOB = r"""
import os, signal, subprocess, sys, time
out = os.environ["DATAOPS_DIFF_OUTPUT"]
side_dir = os.path.dirname(out)
start = time.time()
if os.environ.get("JOB_IGNORE_TERM"):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if os.environ.get("JOB_CHILD"):
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    with open(os.path.join(side_dir, "pids.tmp"), "w") as fh:
        fh.write(f"{os.getpid()} {child.pid}")
    os.replace(os.path.join(side_dir, "pids.tmp"), os.path.join(side_dir, "pids"))
time.sleep(float(os.environ.get("JOB_SLEEP", "0.2")))
if os.environ.get("JOB_MUTATE"):
    with open(os.environ["JOB_MUTATE"], "a") as fh:
        fh.write("mutated\n")
offset = int(os.environ.get("JOB_OFFSET", "0"))
for name in filter(None, os.environ.get("JOB_DATASETS", "orders").split(",")):
    with open(os.path.join(out, name + ".csv"), "w") as fh:
        rows = [f"{i},{i * 10 + (offset if i == 3 else 0)}\n" for i in range(1, 6)]
        fh.write("id,value\n" + "".join(rows))
if "JOB_COUNTERS" in os.environ:
    with open(os.environ["DATAOPS_DIFF_COUNTERS"], "w") as fh:
        fh.write(os.environ["JOB_COUNTERS"])
if os.environ.get("JOB_STDERR"):
    print(os.environ["JOB_STDERR"], file=sys.stderr)
print("done", os.environ["DATAOPS_DIFF_SIDE"])
with open(os.path.join(side_dir, "times"), "w") as fh:
    fh.write(f"{start} {time.time()}")
sys.exit(int(os.environ.get("JOB_EXIT", "0")))
"""

CONFIG = ("user.name=t", "user.email=t@example.invalid", "commit.gpgsign=false",
          "tag.gpgsign=false", "init.defaultBranch=main")  # fmt: skip
GIT = ["git", *(arg for item in CONFIG for arg in ("-c", item))]


def git(repo: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=repo, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def make_repo(root: Path, spec: str, candidate_job: str | None = None) -> Path:
    """A git repo holding job.py, inputs/ and dataops-diff.toml; tags production and candidate.

    The candidate commit replaces job.py with ``candidate_job`` when given.
    """
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q")
    (root / "job.py").write_text(JOB)
    (root / "inputs").mkdir()
    (root / "inputs" / "events.csv").write_text("id,kind\n1,a\n2,b\n")
    (root / "dataops-diff.toml").write_text(spec)
    (root / ".gitignore").write_text(".dataops-diff/\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "production")
    git(root, "tag", "production")
    if candidate_job is not None:
        (root / "job.py").write_text(candidate_job)
        git(root, "commit", "-q", "-am", "candidate")
    git(root, "tag", "candidate")
    return root


SPEC = """
[pipeline]
command = ["{python}", "job.py"]
timeout = 20
[pipeline.env]
JOB_SLEEP = "0.2"
[production]
ref = "production"
[candidate]
ref = "candidate"
[inputs]
events = "inputs/events.csv"
[defaults]
key = ["id"]
"""


def spec_with(candidate_env: str = "", production_env: str = "", extra: str = "") -> str:
    """SPEC with env tables for the versions, e.g. candidate_env='JOB_EXIT = "3"'."""
    text = SPEC
    if production_env:
        text = text.replace(
            'ref = "production"\n', f'ref = "production"\nenv = {{ {production_env} }}\n'
        )
    if candidate_env:
        text = text.replace(
            'ref = "candidate"\n', f'ref = "candidate"\nenv = {{ {candidate_env} }}\n'
        )
    return text + extra


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie (a zombie holds nothing; it awaits its reaper)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state not in (b"Z", b"X")


def wait_for(path: Path, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} never appeared")
        time.sleep(0.02)


def cli(*args: str, cwd: Path | None = None) -> subprocess.Popen[str]:
    """Start `dataops-diff ARGS` in its own session (so a signal reaches it alone)."""
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [sys.executable, "-m", "dataops_diff", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )

"""The live display of a shadow run (rich), on a terminal and off one."""

from __future__ import annotations

import io

from rich.console import Console

from dataops_diff.cli.live import human_bytes, run_display
from dataops_diff.shadow import RunState

RUNNING = (RunState("production", "running", 0.5, 0), RunState("candidate", "running", 0.5, 2048))
DONE = (
    RunState("production", "succeeded", 1.25, 3 * 1024 * 1024),
    RunState("candidate", "timed_out", 2.0, 10),
)


def test_terminal_display_shows_state_elapsed_and_output_size() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=80, color_system=None)
    with run_display(True, console) as display:
        assert display is not None
        display.tick(RUNNING)
        display.tick(DONE)
        display.progress("[/bold]orders", "comparing", 0.5)  # data text: never markup
    text = out.getvalue()
    assert "production  succeeded    1.2 s  3.0 MB" in text
    assert "candidate   timed out    2.0 s    10 B" in text
    assert "comparing [/bold]orders: comparing 50%" in text


def test_plain_lines_off_a_terminal() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=False, width=80)
    with run_display(True, console) as display:
        assert display is not None
        display.tick(RUNNING)
        display.tick(RUNNING)  # no change of state: no new line
        display.tick(DONE)
        display.progress("orders", "comparing", None)  # ignored off a terminal
    assert out.getvalue().splitlines() == [
        "production: running (0.5 s, 0 B written)",
        "candidate: running (0.5 s, 2.0 KB written)",
        "production: succeeded (1.2 s, 3.0 MB written)",
        "candidate: timed out (2.0 s, 10 B written)",
    ]


def test_quiet_means_no_display() -> None:
    with run_display(False) as display:
        assert display is None


def test_human_bytes() -> None:
    assert human_bytes(0) == "0 B"
    assert human_bytes(1536) == "1.5 KB"
    assert human_bytes(5 * 1024**4) == "5120.0 GB"

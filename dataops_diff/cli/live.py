"""The live display of a shadow run: both versions' state, elapsed time and output size so far.

On a terminal it is a small rich table redrawn in place on stderr; elsewhere (CI logs, pipes) one
plain line per change of state. ``--quiet`` turns it off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console, Group, JustifyMethod
from rich.live import Live
from rich.table import Table
from rich.text import Text

from ..shadow.processes import RunState

_STYLES = {
    "running": "cyan",
    "stopping": "yellow",
    "succeeded": "green",
    "failed": "red",
    "timed_out": "red",
    "interrupted": "yellow",
    "not_started": "red",
}


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"  # pragma: no cover


def table(states: tuple[RunState, ...]) -> Table:
    grid = Table(box=None, show_header=True, header_style="bold", pad_edge=False)
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("version", "left"), ("state", "left"), ("elapsed", "right"), ("output", "right"),
    )  # fmt: skip
    for name, justify in columns:
        grid.add_column(name, justify=justify)
    for s in states:
        style = _STYLES.get(s.status, "")
        state = s.status.replace("_", " ")
        grid.add_row(
            s.side, f"[{style}]{state}[/]", f"{s.elapsed:.1f} s", human_bytes(s.output_bytes)
        )
    return grid


class RunDisplay:
    """Feeds one display from the runner (``tick``) and then from the comparison (``progress``)."""

    def __init__(self, console: Console, live: Live | None) -> None:
        self.console = console
        self.live = live
        self.states: tuple[RunState, ...] = ()
        self.comparing = ""
        self._seen: dict[str, str] = {}

    def tick(self, states: tuple[RunState, ...]) -> None:
        self.states = states
        if self.live is not None:
            self._redraw()
            return
        for s in states:  # plain lines: one per change of state
            if self._seen.get(s.side) != s.status:
                self._seen[s.side] = s.status
                self.console.print(
                    f"{s.side}: {s.status.replace('_', ' ')} ({s.elapsed:.1f} s, "
                    f"{human_bytes(s.output_bytes)} written)",
                    markup=False,
                    highlight=False,
                )

    def progress(self, dataset: str, phase: str, fraction: float | None) -> None:
        if self.live is None:
            return
        done = f" {fraction:.0%}" if fraction is not None else ""
        self.comparing = f"comparing {dataset}: {phase}{done}"
        self._redraw()

    def _redraw(self) -> None:
        assert self.live is not None
        parts: list[Table | Text] = [table(self.states)]
        if self.comparing:
            parts.append(Text(self.comparing))
        self.live.update(Group(*parts))


@contextmanager
def run_display(enabled: bool, console: Console | None = None) -> Iterator[RunDisplay | None]:
    """The display of ``dataops-diff run`` on stderr, or None when it is off (``--quiet``)."""
    console = console or Console(stderr=True)
    if not enabled:
        yield None
        return
    if not console.is_terminal:
        yield RunDisplay(console, None)
        return
    with Live(console=console, refresh_per_second=8, transient=False) as live:
        yield RunDisplay(console, live)

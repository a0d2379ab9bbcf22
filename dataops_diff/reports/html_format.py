"""Number formats of the HTML report (jinja2 filters): counts, shares, sizes, durations."""

from __future__ import annotations

from .. import humanize


def count(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def num(x: float | None) -> str:
    if x is None:
        return "—"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:.4g}"


def pct(x: float | None) -> str:
    """A share in [0, 1] as a percentage that never rounds a difference away."""
    if x is None:
        return "—"
    if 0 < abs(x) < 0.0001:
        return "<0.01%" if x > 0 else "-<0.01%"
    text = f"{x:.2%}"
    if text in ("100.00%", "-100.00%") and abs(x) != 1:
        return ">99.99%" if x > 0 else "-99.99%"
    return text


def size(n: int | None) -> str:
    return "—" if n is None else humanize.size(n)


def seconds(x: float | None) -> str:
    if x is None:
        return "—"
    if x < 60:
        return f"{x:.1f} s"
    minutes, secs = divmod(round(x), 60)
    return f"{minutes} min {secs:02d} s"

"""How values are shown to a person, the same in every report, message and display.

``visible`` is the one place that makes text from data safe to show: a control character (an ANSI
escape sequence, a carriage return) or a bidirectional control (U+202E turns "exe.txt" into
"txt.exe") would change what the reader sees, so each is shown as its escape, ``\\x1b`` or
``\\u202e``. Markup escaping (Markdown, HTML, rich) is each renderer's own second step.
"""

from __future__ import annotations

import re

# C0 (but tab, newline, carriage return), DEL, C1, and the bidirectional controls: the embeddings,
# overrides and isolates, the marks LRM, RLM and the Arabic letter mark.
_INVISIBLE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_KEEP_LINES = re.compile(f"[{_INVISIBLE}]")
_ONE_LINE = re.compile(f"[{_INVISIBLE}\t\n\r]")


def visible(text: str, lines: bool = False) -> str:
    """``text`` with every invisible or reordering character shown as its escape.

    ``lines=True`` keeps tabs and line breaks (Markdown turns them into ``<br>``, HTML into white
    space); otherwise they are escaped too, so a value stays on its line of the terminal.
    """
    pattern = _KEEP_LINES if lines else _ONE_LINE
    return pattern.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def size(value: float | None) -> str:
    """``512 B``, ``1.5 KiB``, ``3.0 MiB``: binary units, one decimal; ``-`` when unknown."""
    if value is None:
        return "-"
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(amount) < 1024:
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} TiB"

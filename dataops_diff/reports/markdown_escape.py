"""Escaping for the Markdown report: a value from data can change neither the Markdown nor the
HTML structure of a pull-request comment (pipes, backticks, tags, newlines, mentions, bidi)."""

from __future__ import annotations

import html
import re

from ..model import JSONValue
from .summary import value_text

_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")
REFERENCE = re.compile(r"([@#])(?=\w)")  # @team mentions and #123 links: broken by U+200B


def text(value: str) -> str:
    """Inline Markdown showing ``value`` literally, on one line (newlines become <br>)."""
    value = value_text(value, limit=10_000)
    value = value.replace("&", "&amp;").replace("<", "&lt;")  # no tag or entity can start
    value = _MARKDOWN.sub(r"\\\1", value)
    value = REFERENCE.sub("\\1\u200b", value)
    return re.sub(r"\r\n|\r|\n", "<br>", value)


def attr(value: str) -> str:
    """Text inside an HTML element (<summary>): HTML-escaped, one line, no mentions."""
    value = html.escape(" ".join(value_text(value, limit=10_000).split()))
    return REFERENCE.sub("\\1\u200b", value)


def cell(value: JSONValue) -> str:
    return "*null*" if value is None else text(value_text(value))

"""The small vocabulary every part of the model shares: literal kinds, JSON values, the version."""

from __future__ import annotations

from typing import Any, Literal

SCHEMA_VERSION = (
    3  # 3: classification noise, baseline, floor; 2: status ERROR, severity error, tail_log
)

JSONValue = None | bool | int | float | str | list[Any] | dict[str, Any]

Side = Literal["production", "candidate"]
# the side of a run: production twice (baseline) learns the noise floor (issue 15)
RunSide = Literal["production", "candidate", "baseline"]
DatasetStatus = Literal["compared", "only_in_production", "only_in_candidate"]
VerdictStatus = Literal["PASS", "WARN", "FAIL", "ERROR"]  # ERROR: nothing could be compared
Severity = Literal["error", "fail", "warn"]
# noise: within the floor learnt from a baseline run (issue 15)
Classification = Literal["expected", "tolerated", "noise", "unexpected"]
RunStatus = Literal["succeeded", "failed", "timed_out", "interrupted", "not_started"]

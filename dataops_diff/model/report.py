"""The verdict, the report that every renderer reads, and its JSON round trip."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, Union

from .datasets import DatasetDiff
from .floor import DatasetFloor
from .kinds import SCHEMA_VERSION, Classification, JSONValue, Severity, VerdictStatus
from .runs import RunComparison


# -------------------------------------------------------------------------------------- verdict
@dataclass(frozen=True)
class Reason:
    """Why the verdict is what it is: a rule, where it applies, what was measured, the limit."""

    rule: str
    severity: Severity
    message: str  # "orders.amount: 1.9% of rows changed, limit 0.5%"
    dataset: str | None = None
    column: str | None = None
    measured: float | str | None = None
    limit: float | str | None = None


@dataclass(frozen=True)
class Finding:
    """One difference and how the policy classified it."""

    kind: str  # e.g. "values", "rows_only_in_candidate", "column_added", "counter", ...
    classification: Classification
    message: str
    dataset: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Verdict:
    status: VerdictStatus
    reasons: tuple[Reason, ...] = ()
    findings: tuple[Finding, ...] = ()


# --------------------------------------------------------------------------------------- report
@dataclass(frozen=True)
class Report:
    production: str  # what was compared: a path, or a run's label
    candidate: str
    datasets: tuple[DatasetDiff, ...]
    verdict: Verdict
    command: Literal["compare", "run"] = "compare"
    engine: str = "duckdb"
    options: dict[str, JSONValue] = field(default_factory=dict)
    run: RunComparison | None = None
    tool_version: str = ""
    baseline: str | None = None  # production again (issue 15): a path, or the baseline run's label
    floor: tuple[DatasetFloor, ...] = ()  # production vs baseline, per dataset
    schema_version: int = SCHEMA_VERSION

    @property
    def has_differences(self) -> bool:
        return any(d.has_differences for d in self.datasets) or bool(
            self.run and (self.run.candidate.status != "succeeded" or self.run.mutated_inputs)
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        report: Report = _from_json(cls, data)
        return report


def to_dict(obj: Any) -> Any:
    """A dataclass tree -> plain JSON-compatible values (tuples become lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple | list):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    return obj


T = TypeVar("T")


def _from_json(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` from ``to_dict`` output, guided by the type hints."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        kwargs = {
            f.name: _from_json(hints[f.name], data[f.name])
            for f in dataclasses.fields(tp)
            if f.name in data
        }
        return tp(**kwargs)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_json(args[0], v) for v in data)
        return tuple(_from_json(a, v) for a, v in zip(args, data, strict=True))
    if origin in (Union, types.UnionType):
        if data is None:
            return None
        for arg in typing.get_args(tp):
            if dataclasses.is_dataclass(arg) or typing.get_origin(arg) is tuple:
                return _from_json(arg, data)
        return data
    return data

"""The result model: frozen dataclasses of plain, JSON-safe Python values that every renderer reads.

Rules that keep it JSON-safe without a custom encoder:
- numbers stored here are finite (``None`` stands for "not defined", e.g. a max difference over no
  pairs); non-finite *data* values inside samples are strings ("NaN", "inf", "-inf");
- values from data (samples, top-k values, min/max of strings and times) are ``JSONValue``: dates,
  times and decimals as ISO / decimal strings, bytes as ``0x`` hex;
- collections are tuples (dicts only where keys are names from data: sample rows, counters).

``to_dict(report)`` gives the JSON document, ``Report.from_dict(d)`` reads it back, and
``Report.from_dict(to_dict(r)) == r``. The JSON schema is documented in docs/json-report.md; bump
``SCHEMA_VERSION`` on any change that is not a pure addition of an optional field.
"""

from .datasets import (
    Column,
    ColumnDiff,
    ColumnShift,
    DatasetDiff,
    Duplicates,
    Profile,
    Rename,
    RowSample,
    SchemaDiff,
    TopValue,
    TypeChange,
    ValueSample,
)
from .explain import DeltaDistribution, Distribution, FullRowSample, Segment, Transition
from .floor import ColumnFloor, DatasetFloor
from .kinds import (
    SCHEMA_VERSION,
    Classification,
    DatasetStatus,
    JSONValue,
    RunSide,
    RunStatus,
    Severity,
    Side,
    VerdictStatus,
)
from .report import Finding, Reason, Report, Verdict, _from_json, to_dict
from .runs import InputFingerprint, RunComparison, RunRecord

__all__ = [
    "SCHEMA_VERSION",
    "Classification",
    "Column",
    "ColumnDiff",
    "ColumnFloor",
    "ColumnShift",
    "DatasetDiff",
    "DatasetFloor",
    "DatasetStatus",
    "DeltaDistribution",
    "Distribution",
    "Duplicates",
    "Finding",
    "FullRowSample",
    "InputFingerprint",
    "JSONValue",
    "Profile",
    "Reason",
    "Rename",
    "Report",
    "RowSample",
    "RunComparison",
    "RunRecord",
    "RunSide",
    "RunStatus",
    "SchemaDiff",
    "Segment",
    "Severity",
    "Side",
    "TopValue",
    "Transition",
    "TypeChange",
    "ValueSample",
    "Verdict",
    "VerdictStatus",
    "_from_json",
    "to_dict",
]

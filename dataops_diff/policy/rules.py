"""THE rule table: every policy setting defined once, and the rule names a Reason can carry.

The TOML parser's key sets (per level), the CLI flags (``cli/policy_options.py``), the labels in
reasons and the "Every key" table of docs/policy.md are all derived from ``SETTINGS``;
tests/test_policy_table.py fails when one of them drifts. To add a setting: add a row here, a
field to ``Rules`` (levels dataset/column) or ``Policy`` (top only), and its check.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["limit", "ratio", "bool", "targets", "expect", "severity", "counters", "choice"]
Level = Literal["top", "dataset", "column"]

ALL: tuple[Level, ...] = ("top", "dataset", "column")
TOP_DATASET: tuple[Level, ...] = ("top", "dataset")
TOP: tuple[Level, ...] = ("top",)
_TARGET = "TARGET is COLUMN (in every dataset) or DATASET.COLUMN"


@dataclass(frozen=True)
class Setting:
    """One policy key. ``kind`` says how its value is written (docs/policy.md, "Values"):
    limit = rows (share "0.5%" or count 10), ratio = number or percentage, bool = a switch;
    the other kinds have a shape of their own and are parsed by name."""

    key: str  # the TOML key, and the Rules (levels beyond top) or Policy (top only) field
    kind: Kind
    levels: tuple[Level, ...]
    default: str  # as docs/policy.md shows it
    what: str  # the docs line: what the key tolerates or declares
    flag: str | None = None  # the CLI flag (None: set in the spec or a policy file only)
    targeted: bool = False  # the flag takes [TARGET=]VALUE and repeats, like a column table
    metavar: str | None = None
    help: str = ""  # the flag's --help text
    label: str = ""  # how a reason names the measure ("PSI")
    sets: tuple[str, ...] = ()  # fields a shorthand sets (default: the key itself)
    choices: tuple[str, ...] = ()  # the values of a "choice", the default first

    @property
    def fields(self) -> tuple[str, ...]:
        return self.sets or (self.key,)

    @property
    def doc_row(self) -> str:
        """The row of docs/policy.md's "Every key" table (the drift guard compares it)."""
        levels = "all" if self.levels == ALL else ", ".join(self.levels)
        return f"| `{self.key}` | {levels} | {self.default} | {self.what} |"


def _shift(measure: str, label: str, help_label: str, what: str) -> Setting:
    return Setting(
        f"max_{measure}", "ratio", ALL, "off", what, flag=f"--max-{measure.replace('_', '-')}",
        targeted=True, metavar="[TARGET=]VALUE", label=label,
        help=f"Fail when the {help_label} of a column exceeds VALUE. {_TARGET}. Repeatable.",
    )  # fmt: skip


SETTINGS: tuple[Setting, ...] = (
    Setting("expect_changes", "targets", TOP, "`[]`", 'targets the candidate is meant to change: '
            '`"DATASET"`, `"DATASET.COLUMN"` or `"COLUMN"` (that column in every dataset)',
            flag="--expect-change", targeted=True, metavar="TARGET",
            help="A dataset, DATASET.COLUMN or COLUMN the candidate is meant to change: its "
            "differences are expected, and it fails if it did not change. Repeatable."),
    Setting("expect_change", "expect", ("dataset", "column"), "`false`",
            "the same, declared in the dataset's or column's table"),
    Setting("max_changed_rows", "limit", ALL, "`0`", "rows whose value in a column changed (of "
            "the matched rows), per column", flag="--max-changed-rows", targeted=True,
            metavar="[TARGET=]LIMIT", help="Tolerate changed rows per column: 0.5% (share) or "
            f"10 (rows). {_TARGET}. Repeatable."),
    Setting("max_abs_diff", "ratio", ALL, "off", "a numeric column whose changed values all "
            "differ by at most this (absolute) is tolerated, however many rows changed",
            flag="--max-abs-diff", targeted=True, metavar="[TARGET=]VALUE",
            help="Tolerate a numeric column whose changes are all within VALUE (absolute), "
            f"however many. {_TARGET}. Repeatable."),
    Setting("max_rel_diff", "ratio", ALL, "off", "the same, relative: `|p - c| / max(|p|, |c|)`",
            flag="--max-rel-diff", targeted=True, metavar="[TARGET=]VALUE",
            help="Tolerate a numeric column whose changes are all within VALUE (relative), "
            f"however many. {_TARGET}. Repeatable."),
    Setting("max_dataset_changed_rows", "limit", TOP_DATASET, "off", "matched rows with at "
            "least one changed column (counts expected columns too)"),
    Setting("max_row_count_change", "limit", TOP_DATASET, "off", "candidate rows minus "
            "production rows, absolute; a share is of production's rows",
            flag="--max-row-count-change", metavar="LIMIT",
            help="Tolerate a change of a dataset's row count: 1% or 100 (rows)."),
    Setting("max_only_in_one_side", "limit", TOP_DATASET, "-", "shorthand setting both keys "
            "below", flag="--max-only-in-one-side", metavar="LIMIT", help="Tolerate rows only in "
            "production or only in the candidate: 0.1% or 10 (rows), per side.",
            sets=("max_only_in_production", "max_only_in_candidate")),
    Setting("max_only_in_production", "limit", TOP_DATASET, "`0`", "rows whose key is missing "
            "from the candidate (share: of production's rows)"),
    Setting("max_only_in_candidate", "limit", TOP_DATASET, "`0`", "rows whose key is new in the "
            "candidate (share: of the candidate's rows)"),
    Setting("max_duplicate_groups", "limit", TOP_DATASET, "`0`", "duplicate-key groups whose "
            "rows differ (share: of the shared groups)"),
    Setting("allow_added_columns", "bool", TOP_DATASET, "`false`", "columns only in the "
            "candidate", flag="--allow-added-columns",
            help="Tolerate columns only in the candidate."),
    Setting("allow_removed_columns", "bool", TOP_DATASET, "`false`", "columns only in "
            "production", flag="--allow-removed-columns",
            help="Tolerate columns only in production."),
    Setting("allow_type_changes", "bool", ALL, "`false`", "columns whose type changed",
            flag="--allow-type-changes", help="Tolerate columns whose type changed."),
    _shift("psi", "PSI", "PSI", "population stability index of a numeric column"),
    _shift("ks", "KS", "KS statistic", "Kolmogorov-Smirnov statistic of a numeric column"),
    _shift("null_share_change", "null share change", "change of the null share",
           "change of a column's share of nulls (absolute value)"),
    _shift("tvd", "TVD", "TVD", "total variation distance of a column's most frequent values"),
    Setting("severity", "severity", ALL, '`"fail"`', '`{ RULE = "warn" }` makes a rule only '
            'warn there (or `"fail"` to undo a warn from above)', flag="--warn-only",
            targeted=True, metavar="RULE", help="Make a rule only warn, e.g. changed_rows, "
            "row_count, psi (docs/policy.md lists them). Repeatable."),
    Setting("allow_new_datasets", "bool", TOP, "`false`", "datasets only in the candidate",
            flag="--allow-new-datasets", help="Tolerate datasets only in the candidate."),
    Setting("allow_missing_datasets", "bool", TOP, "`false`", "datasets only in production",
            flag="--allow-missing-datasets", help="Tolerate datasets only in production."),
    Setting("max_counter_change", "ratio", TOP, "`0`", "relative change of every counter, "
            "`abs(c - p) / abs(p)`"),
    Setting("counters", "counters", TOP, "`{}`", "`{ NAME = RATIO }`: the limit for one counter"),
    Setting("allow_new_counters", "bool", TOP, "`false`", "counters only the candidate reports"),
    Setting("allow_missing_counters", "bool", TOP, "`false`", "counters only production reports"),
    Setting("max_slowdown", "ratio", TOP, "off", "candidate duration / production duration - 1"),
    Setting("max_memory_growth", "ratio", TOP, "off", "candidate peak memory / production peak "
            "memory - 1"),
    Setting("fail_on", "choice", TOP, '`"fail"`', '`"warn"`: WARN exits 1 too', flag="--fail-on",
            metavar="fail|warn", help="Exit 1 on FAIL only (default), or on WARN too.",
            choices=("fail", "warn")),
    Setting("noise", "choice", TOP, '`"pass"`', 'with a baseline: a difference within the noise '
            'floor passes, or `"warn"`s or `"fail"`s (docs/noise.md)', flag="--noise",
            metavar="pass|warn|fail", help="With a baseline: differences within the noise floor "
            "pass (default), warn or fail.", choices=("pass", "warn", "fail")),
    Setting("noise_factor", "ratio", TOP, "`2`", "with a baseline: a column whose changed-row "
            "share is up to this many times the floor's (and within its other bounds) is noise",
            flag="--noise-factor", metavar="FACTOR", help="With a baseline: a column changed in "
            "up to FACTOR times the floor's share of rows is noise (default 2)."),
)  # fmt: skip

BY_KEY = {s.key: s for s in SETTINGS}
BY_FLAG = {s.flag: s for s in SETTINGS if s.flag}
SHIFT_MEASURES = ("psi", "ks", "null_share_change", "tvd")
SHIFT_LABEL = {m: BY_KEY[f"max_{m}"].label for m in SHIFT_MEASURES}


def keys_at(level: Level) -> frozenset[str]:
    """The TOML keys a table at ``level`` accepts (the parser adds ``datasets``/``columns``)."""
    return frozenset(s.key for s in SETTINGS if level in s.levels)


# The Rules fields: the value settings that can be set below the top level.
LEVELED = tuple(s for s in SETTINGS if s.kind in ("limit", "ratio", "bool") and len(s.levels) > 1)
# The Policy fields set only at the top level (counters, run limits, dataset switches).
TOP_ONLY = tuple(s for s in SETTINGS if s.kind in ("ratio", "bool") and s.levels == TOP)
COLUMN_KEYS = keys_at("column")
CHOICES = tuple(s for s in SETTINGS if s.kind == "choice")  # Policy fields: one of ``choices``

# Every rule a Reason can name, with what it checks. The names are the policy's vocabulary:
# `severity = { <rule> = "warn" }`, `--warn-only <rule>`, JUnit test case names.
RULES: dict[str, str] = {
    "expected_change": "a change declared as expected did not happen",
    "new_datasets": "a dataset only in the candidate",
    "missing_datasets": "a dataset only in production",
    "added_columns": "a column only in the candidate",
    "removed_columns": "a column only in production",
    "type_changes": "a column whose type changed",
    "changed_rows": "rows whose value in a column changed",
    "dataset_changed_rows": "rows with at least one changed column",
    "row_count": "the change in a dataset's row count",
    "only_in_production": "rows whose key is missing from the candidate",
    "only_in_candidate": "rows whose key is new in the candidate",
    "duplicates": "duplicate-key groups whose rows differ",
    "psi": "population stability index of a column's distribution",
    "ks": "Kolmogorov-Smirnov statistic of a column's distribution",
    "null_share_change": "change in a column's share of nulls",
    "tvd": "total variation distance of a column's most frequent values",
    "run": "the candidate run did not succeed",
    "inputs": "a run changed its input",
    "counters": "relative change of a counter the pipeline reported",
    "duration": "slowdown of the candidate run",
    "memory": "peak memory growth of the candidate run",
}
RUN_RULES = frozenset({"run", "inputs", "counters", "duration", "memory"})

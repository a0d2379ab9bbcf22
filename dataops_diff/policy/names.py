"""Every dataset and column a policy names must exist: a typo must not turn a guardrail off.

``--max-psi amout=0.1`` would otherwise set a limit on a column no dataset has, and the real
column would pass unchecked. The orchestration calls ``check_names`` as soon as the schemas are
known; ``evaluate`` calls it again, so no path can skip it.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Mapping

from ..errors import DataopsDiffError
from ..model import DatasetDiff
from .config import Policy


class PolicyNameError(DataopsDiffError):
    """A policy names a dataset or column that neither version has. ``source`` is the flag or
    the TOML key the name came from; ``closest`` the existing names it most resembles."""

    def __init__(
        self, source: str, name: str, problem: str, closest: tuple[str, ...], listing: str = ""
    ) -> None:
        self.source, self.name, self.closest = source, name, closest
        fix = source if source.startswith("--") else "the name, or remove the entry"
        super().__init__(f"{source} names {problem} ({_hint(closest, listing)}); fix {fix}")


def check_names(
    policy: Policy,
    columns_by_dataset: Mapping[str, Collection[str]],
    unknown: Collection[str] = (),
) -> None:
    """Raise ``PolicyNameError`` for the first name in ``policy`` that matches nothing.

    ``columns_by_dataset`` holds every dataset of either version with every column either version
    has (production and candidate names). ``unknown`` names datasets whose columns are not known
    (a dataset only one version wrote, in a report without its schema): names in them are taken
    on trust, since nothing is checked there.
    """
    datasets = set(columns_by_dataset)
    columns = {c for cols in columns_by_dataset.values() for c in cols}
    qualified = {f"{d}.{c}" for d, cols in columns_by_dataset.items() for c in cols}
    trusted = {f"{d}." for d in unknown}

    def column_exists(target: str) -> bool:
        return target in columns or target in qualified or target.startswith(tuple(trusted))

    for name in policy.datasets:
        if name not in datasets:
            problem = f"dataset '{name}', which neither version has"
            _fail(policy, ("datasets", name), name, problem, datasets, "datasets")
    for dataset, dp in policy.datasets.items():
        have = columns_by_dataset.get(dataset, ())
        for column in () if dataset in unknown else dp.columns:
            if column not in have:
                problem = f"column '{column}', which dataset '{dataset}' has in neither version"
                key = (f"datasets.{dataset}.columns", column)
                _fail(policy, key, column, problem, have, "columns")
    for target in policy.columns:
        if not column_exists(target):
            problem = f"column '{target}', which no dataset has"
            _fail(policy, ("columns", target), target, problem, columns | qualified, "columns")
    for target in policy.expect_changes:
        if target not in datasets and not column_exists(target):
            problem = f"'{target}', which is no dataset or column"
            everything = datasets | columns | qualified
            _fail(policy, ("expect_changes", target), target, problem, everything, "names")


def names_in(diffs: Iterable[DatasetDiff]) -> tuple[dict[str, set[str]], set[str]]:
    """Every dataset's column names, as compared datasets show them, and the datasets whose
    columns are unknown (only in one version, no schema recorded)."""
    found: dict[str, set[str]] = {}
    unknown: set[str] = set()
    for d in diffs:
        schema = d.schema
        names = {c.name for c in d.columns} | {c.candidate_name for c in d.columns}
        names |= {c.name for c in schema.only_in_production + schema.only_in_candidate}
        names |= {t.column for t in schema.type_changes} | set(d.key) | set(d.ignored_columns)
        names |= {r.production for r in schema.renamed} | {r.candidate for r in schema.renamed}
        found[d.name] = names
        if d.status != "compared" and not names - set(d.key):
            unknown.add(d.name)
    return found, unknown


def _fail(
    policy: Policy,
    key: tuple[str, str],
    name: str,
    problem: str,
    existing: Collection[str],
    noun: str,
) -> None:
    source = policy.sources.get(key) or _python_place(key[0])
    closest = tuple(difflib.get_close_matches(name, sorted(existing), n=3, cutoff=0.6))
    if not closest:  # nothing alike: list what there is, briefly
        listed = sorted(existing)
        more = ", ..." if len(listed) > _LISTED else ""
        raise PolicyNameError(
            source, name, problem, (), f"{noun}: {', '.join(listed[:_LISTED]) or 'none'}{more}"
        )
    raise PolicyNameError(source, name, problem, closest)


_LISTED = 8


def _python_place(table: str) -> str:
    """Where a name set through the Python API sits: "Policy.columns", "Policy.datasets[...]"."""
    dataset, _, _ = table.removeprefix("datasets.").rpartition(".columns")
    return f"Policy.datasets[{dataset!r}].columns" if dataset else f"Policy.{table}"


def _hint(closest: tuple[str, ...], listing: str = "") -> str:
    return f"closest: {', '.join(closest)}" if closest else listing

"""Engines behind one interface, registered by name and imported lazily."""

from __future__ import annotations

import importlib

from ..errors import ENGINE, UsageError
from .base import Engine, EngineConfig, ProgressFn, SideSummary

__all__ = [
    "ENGINES",
    "READS_URIS",
    "Engine",
    "EngineConfig",
    "ProgressFn",
    "SideSummary",
    "get_engine",
]

# name -> "module:factory"; the module is imported only when the engine is asked for.
ENGINES: dict[str, str] = {
    "duckdb": "dataops_diff.engines.duckdb:DuckDBEngine",
    "spark": "dataops_diff.engines.spark:SparkEngine",
}
READS_URIS = frozenset({"spark"})  # engines that read s3a://, hdfs://, ... themselves


def get_engine(name: str, config: EngineConfig | None = None) -> Engine:
    target = ENGINES.get(name)
    if target is None:
        raise UsageError(
            f"unknown engine '{name}'; use ", ENGINE, f" with one of: {', '.join(ENGINES)}"
        )
    module_name, _, attr = target.partition(":")
    factory = getattr(importlib.import_module(module_name), attr)
    engine: Engine = factory(config or EngineConfig())
    return engine

"""One exception tree. Each class carries its exit code; the CLI is the one place that catches.

Foreign exceptions (ArrowInvalid, duckdb.Error, OSError, ...) are mapped once, where they enter,
with ``raise SomeError(...) from exc``. A message is one line that names the file, column, key or
option and says the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

EXIT_OK = 0
EXIT_DIFFERENCES = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Setting:
    """A setting an error names, without the words of any one interface.

    The same setting is a flag to a ``compare`` user (``--memory-limit``), a spec key to a
    ``run`` user (``defaults.key in dataops-diff.toml``) and a field to a Python user
    (``EngineConfig.memory_limit``): the library says *which* setting, ``located`` records where
    its value came from when that is a spec file, and only the CLI turns it into a flag.
    """

    name: str  # the field and spec key: "key", "memory_limit", ...
    api: str  # how a Python user sets it: "DatasetSpec.key", "EngineConfig.memory_limit"
    dataset: str | None = None  # the dataset whose setting it is, when it is a dataset's
    spec_key: str | None = None  # where a spec file set it: "datasets.orders.key"
    spec_file: str | None = None

    def of(self, dataset: str | None) -> Setting:
        """This setting of one dataset (a run's spec may set it per dataset)."""
        return replace(self, dataset=dataset)

    def located(self, spec_key: str, spec_file: str) -> Setting:
        return replace(self, spec_key=spec_key, spec_file=spec_file)

    @property
    def origin(self) -> str | None:
        """``defaults.key in dataops-diff.toml`` when a spec file set it, else None."""
        return f"{self.spec_key} in {self.spec_file}" if self.spec_key else None

    def __str__(self) -> str:
        return self.origin or self.api


# Settings errors name. Their flags are the CLI's business (cli/app.py, ``FLAGS``).
KEY = Setting("key", "DatasetSpec.key")
RENAMES = Setting("renames", "DatasetSpec.renames")
IGNORE_COLUMNS = Setting("ignore_columns", "DatasetSpec.ignore_columns")
ABS_TOL = Setting("abs_tol", "DatasetSpec.column_abs_tol")
REL_TOL = Setting("rel_tol", "DatasetSpec.column_rel_tol")
SAMPLES = Setting("samples", "DatasetSpec.samples")
FORMAT = Setting("format", "DatasetSpec.format")
TEXT_COLUMNS = Setting("text_columns", "DatasetSpec.text_columns")  # CSV/JSON columns as text
ALL_TEXT = Setting("all_text", "DatasetSpec.all_text")
TABLES = Setting("tables", "compare(tables=...)")  # database files: only these tables
SCHEMAS = Setting("schemas", "compare(schemas=...)")  # database files: only these schemas
ENGINE = Setting("engine", "engine")
MEMORY_LIMIT = Setting("memory_limit", "EngineConfig.memory_limit")
TEMP_DIR = Setting("temp_dir", "EngineConfig.temp_dir")
SPARK_MASTER = Setting("master", "EngineConfig.master")
SPARK_CONF = Setting("options", "EngineConfig.options")
SPARK_START_TIMEOUT = Setting("start_timeout", "EngineConfig.start_timeout")
# a shadow run's own settings (``dataops-diff run``): flags there, spec fields to a Python user
SPEC = Setting("spec", "load_spec")
TIMEOUT = Setting("timeout", "RunSpec.timeout")
RUN_DIR = Setting("run_dir", "run_dir")
BASELINE = Setting("baseline", "RunSpec.baseline")
PRODUCTION_REF = Setting("production_ref", "RunSpec.production.ref")
DATASET_SETTINGS = (  # spec keys
    KEY, RENAMES, IGNORE_COLUMNS, ABS_TOL, REL_TOL, SAMPLES, FORMAT, TEXT_COLUMNS, ALL_TEXT,
)  # fmt: skip
SETTINGS = (
    *DATASET_SETTINGS,
    TABLES,
    SCHEMAS,
    ENGINE,
    MEMORY_LIMIT,
    TEMP_DIR,
    SPARK_MASTER,
    SPARK_CONF,
    SPARK_START_TIMEOUT,
    SPEC,
    TIMEOUT,
    RUN_DIR,
    BASELINE,
    PRODUCTION_REF,
)

Part = str | Setting


class DataopsDiffError(Exception):
    """Base class: something could not be compared or run. Exit code 2.

    The message is given in parts: text, and ``Setting``s where it names a setting, e.g.
    ``UsageError(MEMORY_LIMIT, f" '{text}' is not a size")``. ``message`` words each setting for
    a Python user (or as the spec key it came from); the CLI words them with ``worded``.
    """

    exit_code = EXIT_ERROR

    def __init__(self, *parts: Part) -> None:
        self.parts: tuple[Part, ...] = parts
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return self.worded(str)

    @message.setter
    def message(self, text: str) -> None:  # code that rewrites a message keeps working
        self.parts = (text,)
        self.args = (text,)

    @property
    def settings(self) -> tuple[Setting, ...]:
        return tuple(p for p in self.parts if isinstance(p, Setting))

    def worded(self, name: Callable[[Setting], str]) -> str:
        """The message with each setting named by ``name``."""
        return "".join(p if isinstance(p, str) else name(p) for p in self.parts)

    def locate(self, where: Callable[[Setting], Setting]) -> None:
        """Record where each setting's value came from (a run knows its spec file)."""
        self.parts = tuple(p if isinstance(p, str) else where(p) for p in self.parts)
        self.args = (self.message,)


class UsageError(DataopsDiffError):
    """A flag or argument is wrong (bad value, conflicting options)."""


class SpecError(DataopsDiffError):
    """The spec file is invalid: the message names the file and the key."""


class InputError(DataopsDiffError):
    """A dataset could not be found, read or parsed."""


class SchemaError(DataopsDiffError):
    """A dataset lacks a column the comparison needs (key, renamed or ignored column)."""


class EngineError(DataopsDiffError):
    """The engine failed for a reason that is not the data (out of memory, disk full, ...)."""


class RunError(DataopsDiffError):
    """A shadow run could not produce anything to compare (production failed, git failed, ...)."""


class Interrupted(DataopsDiffError):
    """Ctrl-C or SIGTERM: everything started was stopped. Exit code 130."""

    exit_code = EXIT_INTERRUPTED


class DataopsDiffWarning(UserWarning):
    """Something the user should know now, while the run goes on (the CLI prints one line)."""

"""One exception tree. Each class carries its exit code; the CLI is the one place that catches.

Foreign exceptions (ArrowInvalid, duckdb.Error, OSError, ...) are mapped once, where they enter,
with ``raise SomeError(...) from exc``. A message is one line that names the file, column, key or
option and says the fix.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_DIFFERENCES = 1
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130


class DataopsDiffError(Exception):
    """Base class: something could not be compared or run. Exit code 2."""

    exit_code = EXIT_ERROR

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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

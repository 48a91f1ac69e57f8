"""DipkgError and its kinds; each carries a message, an optional hint and an exit code.

Exit codes: 0 done; 1 ran and found problems (violations, rejected documents);
2 could not run (usage, missing file, unreadable input, store unreachable).
"""

from __future__ import annotations


class DipkgError(Exception):
    """Base of every error dipkg reports to a user.

    Args:
        message: what went wrong, naming the input (file, line, field).
        hint: the next step for the user, if there is one.
    """

    exit_code = 2

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class UsageError(DipkgError):
    """A command, option or setting was used wrongly."""


class InputError(DipkgError):
    """An input file (document, metadata, coding, registry, RDF) is missing or malformed."""


class UnknownDocumentError(UsageError):
    """A document the store does not hold (to show or remove)."""

    def __init__(self, message: str, *, document: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.document = document


class UnknownActorError(InputError):
    """A name that the actor registry does not know."""


class ValidationError(DipkgError):
    """SHACL found violations; the data was not stored."""

    exit_code = 1

    def __init__(self, message: str, *, report: object = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.report = report


class QueryError(DipkgError):
    """A SPARQL query or a saved-query parameter is malformed or not allowed."""

    def __init__(self, message: str, *, hint: str | None = None, parameter: str | None = None):
        super().__init__(message, hint=hint)
        self.parameter = parameter


class UnknownParameterError(QueryError):
    """A saved query has no parameter of that name."""


class UnknownQueryError(QueryError):
    """No saved query has that name."""


class QueryTimeoutError(DipkgError):
    """A query ran past the configured time limit and was stopped."""


class MemoryLimitError(DipkgError):
    """A query needed more memory than a query process may use, and was stopped."""


class StoreError(DipkgError):
    """The store cannot be opened, read or written."""


class BusyError(DipkgError):
    """Every query worker stayed busy for the configured wait: try again shortly."""


class ClusterError(DipkgError):
    """The Dask cluster of an ingest could not be started or reached, or went away."""


class ExtractionError(DipkgError):
    """Automatic extraction failed on one document: that document is rejected, the batch goes
    on. The message starts ``extraction failed:``."""

    exit_code = 1

    @classmethod
    def from_fault(cls, exc: Exception) -> ExtractionError:
        """The rejection for an unexpected exception out of extraction (a fault in dipkg)."""
        detail = str(exc)
        if len(detail) > 300:
            detail = detail[:300] + "..."
        return cls(
            f"extraction failed: {type(exc).__name__}: {detail}",
            hint="This is a fault in dipkg's extraction, not in the document: please report it "
            "with the document. A curated coding beside it (ID.coding.yaml) is used instead.",
        )


class ExtractionTimeoutError(ExtractionError):
    """Extraction of one document ran past the ``extract_timeout`` setting and was stopped."""

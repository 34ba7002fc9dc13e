"""Errors raised by the retrieval library. Their messages are fit to show a user."""

from __future__ import annotations


class RetrievalError(Exception):
    """Base class: something the caller asked for cannot be done."""


class IndexMissingError(RetrievalError):
    """There is no index file where one was expected."""


class IndexInvalidError(RetrievalError):
    """The file exists but is not a usable docbot index (corrupt, foreign or too new)."""


class IndexForeignError(IndexInvalidError):
    """The file is not a docbot index (another program's file): it is never overwritten."""


class IndexCorruptError(IndexInvalidError):
    """The file cannot be read as an index (truncated, damaged)."""


class IndexOutdatedError(IndexInvalidError):
    """The index was written by another docbot version, or with other settings: rebuild it."""


class CorpusError(RetrievalError):
    """A corpus path cannot be read or holds nothing indexable."""


class IndexWriteError(RetrievalError):
    """A new index could not be written (disk full, read-only folder); the old one stands."""


class SettingsError(RetrievalError, ValueError):
    """A settings value is out of range or of the wrong kind; the message says what is allowed."""

"""The readers' data contract: what a reader returns, the limits it works within, its errors."""

from __future__ import annotations

from dataclasses import dataclass

from retrieval.errors import CorpusError, SettingsError

SUPPORTED = (".txt", ".md", ".html", ".pdf", ".docx", ".epub", ".jsonl")


@dataclass(frozen=True, slots=True)
class Block:
    """One paragraph of running text (a list item, a table row as "cell · cell · cell").

    ``page`` is 1-based (PDF only); ``section`` is the nearest heading above the block, None
    before the first heading or where the format has none. Headings are sections, not blocks.
    """

    text: str
    page: int | None = None
    section: str | None = None


@dataclass(frozen=True, slots=True)
class ReadDocument:
    """One file's text and metadata as its format gives them; None where a value is unknown.

    ``format`` is one of "pdf", "docx", "epub", "html", "markdown", "text", "jsonl". Plain text
    and .jsonl are passed through undecorated: one block holding the decoded file.
    """

    format: str
    title: str | None
    date: str | None  # ISO 8601 (YYYY-MM-DD)
    author: str | None
    source: str | None  # the site or publisher
    url: str | None
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Bounds on reading one file: input size, what a zip may unpack to, time and memory.

    ``seconds`` and ``memory_mb`` are enforced by :func:`read_isolated` (a worker process);
    the size, zip and member limits by every reader.
    """

    max_bytes: int = 20_000_000  # the file itself
    max_unzipped: int = 200_000_000  # all members of a zip container together
    max_member: int = 100_000_000  # one member of a zip container
    max_ratio: float = 100.0  # unpacked / packed size, for members and archives over 1 MB
    max_members: int = 10_000  # entries in a zip container
    seconds: float = 30.0  # wall-clock time of one isolated read
    memory_mb: int = 1024  # address space an isolated read may add to its worker

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_unzipped", "max_member", "max_members", "memory_mb"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise SettingsError(f"ReadLimits.{name} must be a positive integer, not {value!r}")
        for name in ("max_ratio", "seconds"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value <= 0:
                raise SettingsError(f"ReadLimits.{name} must be a positive number, not {value!r}")


DEFAULT_LIMITS = ReadLimits()


class ReadError(CorpusError):
    """A file cannot be read: damaged, encrypted, empty of text, or hostile."""


class UnsupportedFormatError(ReadError):
    """A format docbot does not read (.doc, .odt, .pptx, images, ...)."""

    def __init__(self, what: str) -> None:
        super().__init__(f"{what} is not supported (supported: {', '.join(SUPPORTED)})")


class LimitExceededError(ReadError):
    """A file, or what it unpacks to, is over a limit: too large, too slow, too much memory."""


def megabytes(size: float) -> str:
    """``20000000`` -> ``"20 MB"``: limits as people say them."""
    return f"{size / 1_000_000:g} MB"

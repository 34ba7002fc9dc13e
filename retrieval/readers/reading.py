"""One entry point: bytes of a file and its name -> ReadDocument, by the reader its format needs.

Each reader module (and with it its format library) is imported when a file first needs it, so
importing the package stays cheap: a one-shot question never loads pypdf or trafilatura.
"""

from __future__ import annotations

from .contract import DEFAULT_LIMITS, Block, LimitExceededError, ReadDocument, ReadLimits, megabytes
from .detect import detect_format


def read_document(
    data: bytes, name: str, *, limits: ReadLimits = DEFAULT_LIMITS, url: str | None = None
) -> ReadDocument:
    """Read one file's bytes; ``name`` is only looked at (its extension), never opened.

    ``url`` is where a web page came from, when known. Raises UnsupportedFormatError for
    formats docbot does not read, LimitExceededError for a file over ``limits``, ReadError for
    anything damaged, encrypted or without text. Time and memory are bounded only by
    :func:`read_isolated`, which runs this in a worker process.
    """
    if len(data) > limits.max_bytes:
        raise LimitExceededError(f"larger than {megabytes(limits.max_bytes)}")
    kind = detect_format(data, name)
    if kind == "pdf":
        from .pdf_reader import read_pdf

        return read_pdf(data)
    if kind == "docx":
        from .docx_reader import read_docx

        return read_docx(data, limits)
    if kind == "epub":
        from .epub_reader import read_epub

        return read_epub(data, limits)
    if kind == "html":
        from .html_reader import read_html

        return read_html(data, url)
    if kind == "markdown":
        from .md_reader import read_markdown

        return read_markdown(data)
    return _passthrough(kind, data)


def _passthrough(kind: str, data: bytes) -> ReadDocument:
    """Plain text and .jsonl: the decoded file as one block, for the plain-text path to split."""
    from retrieval.decoding import decode

    text = decode(data)
    return ReadDocument(kind, None, None, None, None, None, (Block(text),) if text else ())

"""PDF -> blocks with pypdf: the text layer, paragraphs rebuilt (see pdf_layout), the page of
every block kept. Encrypted, image-only and damaged files give a clear error. Imported only
when a PDF is read (so is pypdf)."""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from typing import Any

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import DependencyError

from .contract import ReadDocument, ReadError
from .pdf_layout import page_lines, paragraphs
from .text import meta_value

_CONVERTER = re.compile(r"^Microsoft (?:Word|PowerPoint|Excel) *- *", re.I)
_SOURCE_FILE = re.compile(r"\.(?:docx?|pptx?|xlsx?|wps|txt|rtf)$", re.I)


def read_pdf(data: bytes) -> ReadDocument:
    logging.getLogger("pypdf").addHandler(logging.NullHandler())
    try:
        reader = PdfReader(io.BytesIO(data))
        _decrypt(reader)
        texts = [_page_text(page) for page in reader.pages]
        info = _info(reader)
    except (ReadError, MemoryError, RecursionError):
        raise
    except Exception as exc:  # pypdf on a damaged file raises nearly anything
        raise ReadError(f"damaged PDF, truncated or malformed ({type(exc).__name__})") from exc
    if not any(text.strip() for text in texts):
        raise ReadError("no text layer: a scan needs OCR")
    blocks = tuple(paragraphs(page_lines(texts)))
    if not blocks:
        raise ReadError("no text layer: a scan needs OCR")
    return ReadDocument(format="pdf", blocks=blocks, source=None, url=None, **info)


def _decrypt(reader: PdfReader) -> None:
    if not reader.is_encrypted:
        return
    try:
        opened = reader.decrypt("")
    except DependencyError as exc:
        raise ReadError("encrypted PDF: opening it needs the cryptography package") from exc
    except Exception as exc:
        raise ReadError("encrypted PDF: its encryption is not readable") from exc
    if opened == PasswordType.NOT_DECRYPTED:
        raise ReadError("encrypted PDF: it needs a password")


def _page_text(page: PageObject) -> str:
    """Layout mode keeps indentation and vertical gaps; plain mode where layout fails."""
    try:
        return str(page.extract_text(extraction_mode="layout"))
    except (MemoryError, RecursionError):
        raise
    except Exception:
        return str(page.extract_text())


def _info(reader: PdfReader) -> dict[str, Any]:
    meta = reader.metadata
    if meta is None:
        return {"title": None, "author": None, "date": None}
    return {
        "title": _title(meta.title),
        "author": meta_value(meta.author),
        "date": _date(meta),
    }


def _title(value: object) -> str | None:
    """``Microsoft Word - 年度报告.docx`` -> ``年度报告``: the converter's words are not a title."""
    title = meta_value(value)
    if title is None:
        return None
    title = _CONVERTER.sub("", title)
    return meta_value(_SOURCE_FILE.sub("", title))


def _date(meta: Any) -> str | None:
    for attr in ("creation_date", "modification_date"):
        try:
            value = getattr(meta, attr)
        except Exception:  # a malformed date string in the file
            continue
        if isinstance(value, datetime):
            return value.date().isoformat()
    return None

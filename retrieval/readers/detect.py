"""Which reader a file needs: by its content where the format has a signature, else its name."""

from __future__ import annotations

import io
import re
import zipfile

from .contract import ReadError, UnsupportedFormatError

_BY_SUFFIX = {
    ".txt": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".jsonl": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
}
_SIGNED = {".pdf": "pdf", ".docx": "docx", ".epub": "epub"}
_UNSUPPORTED_SIGNATURES = (
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office file (.doc, .xls, .ppt)"),
    (b"{\\rtf", "an RTF file"),
    (b"\x89PNG\r\n\x1a\n", "an image (PNG)"),
    (b"\xff\xd8\xff", "an image (JPEG)"),
    (b"GIF8", "an image (GIF)"),
    (b"II*\x00", "an image (TIFF)"),
    (b"MM\x00*", "an image (TIFF)"),
    (b"BM", "an image (BMP)"),
)
_ZIP_KINDS = (
    ("ppt/presentation.xml", "a PowerPoint file (.pptx)"),
    ("xl/workbook.xml", "an Excel file (.xlsx)"),
)
_HTML_START = re.compile(
    rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html[\s>])", re.S | re.I
)


def suffix_of(name: str) -> str:
    """``"报告.PDF"`` -> ``".pdf"``; names are only looked at, never opened."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[-1].lower() if "." in base.strip(".") else ""


# Every extension a reader is chosen by, with its format (content can still say otherwise).
SUFFIX_FORMATS = {**_BY_SUFFIX, **_SIGNED}


def format_by_name(name: str) -> str | None:
    """The format ``name``'s extension stands for, or None for one docbot does not read."""
    return SUFFIX_FORMATS.get(suffix_of(name))


def detect_format(data: bytes, name: str) -> str:
    """The format of ``data``: "pdf", "docx", "epub", "html", "markdown", "text" or "jsonl".

    Raises :class:`UnsupportedFormatError` for anything else and :class:`ReadError` when the
    name promises a signed format (.pdf, .docx, .epub) that the content does not have.
    """
    head = data[:1024]
    suffix = suffix_of(name)
    if head.lstrip().startswith(b"%PDF-") or (suffix == ".pdf" and b"%PDF-" in head):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_format(data)
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        raise UnsupportedFormatError("an image (WebP)")
    for signature, what in _UNSUPPORTED_SIGNATURES:
        if data.startswith(signature):
            raise UnsupportedFormatError(what)
    if _HTML_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return "html"
    if suffix in _SIGNED:
        raise ReadError(f"not a {suffix} file: its content does not start as one (damaged?)")
    if suffix in _BY_SUFFIX:
        return _BY_SUFFIX[suffix]
    raise UnsupportedFormatError(f"a {suffix} file" if suffix else "a file without an extension")


def _zip_format(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = _small_member(archive, "mimetype")
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise ReadError("not a readable zip archive (truncated or damaged)") from exc
    if "word/document.xml" in names:
        return "docx"
    if mimetype == b"application/epub+zip" and "META-INF/container.xml" in names:
        return "epub"
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise UnsupportedFormatError("an OpenDocument file (.odt, .ods, .odp)")
    for member, what in _ZIP_KINDS:
        if member in names:
            raise UnsupportedFormatError(what)
    raise UnsupportedFormatError("a zip archive")


def _small_member(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    if info.file_size > 100:
        return b""
    with archive.open(info) as member:
        return member.read(100).strip()

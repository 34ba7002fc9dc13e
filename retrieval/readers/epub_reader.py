"""EPUB -> blocks, read as the zip of XHTML it is: the OPF package file gives the metadata and
the spine (reading order); each chapter's headings become sections. The OPF and container are
parsed with defusedxml (no DTD allowed); chapters with the standard library's HTML parser."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING
from urllib.parse import unquote

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from .contract import Block, ReadDocument, ReadError, ReadLimits
from .text import meta_value
from .xhtml import html_items
from .zipguard import SafeZip

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

_OPF = "{http://www.idpf.org/2007/opf}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_CONTAINER = "{urn:oasis:names:tc:opendocument:xmlns:container}"
_XHTML_TYPES = {"application/xhtml+xml", "text/html"}
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")


def read_epub(data: bytes, limits: ReadLimits) -> ReadDocument:
    archive = SafeZip(data, limits)
    opf_path = _rootfile(archive)
    package = _parse_xml(archive.read(opf_path), opf_path)
    metadata = package.find(f"{_OPF}metadata")
    blocks: list[Block] = []
    for name in _spine(package, posixpath.dirname(opf_path)):
        if name in archive.infos:
            blocks.extend(_chapter(archive.read(name)))
    if not blocks:
        raise ReadError("the EPUB has no chapter text")
    return ReadDocument(
        format="epub",
        title=_dc(metadata, "title"),
        date=(_dc(metadata, "date") or "")[:10] or None,
        author=_dc(metadata, "creator"),
        source=_dc(metadata, "publisher"),
        url=None,
        blocks=tuple(blocks),
    )


def _parse_xml(data: bytes, name: str) -> Element:
    try:
        root: Element = fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ReadError(f"{name} declares a DTD or entities (refused)") from exc
    except ParseError as exc:
        raise ReadError(f"{name} is not well-formed XML") from exc
    return root


def _rootfile(archive: SafeZip) -> str:
    container = _parse_xml(archive.read("META-INF/container.xml"), "META-INF/container.xml")
    for rootfile in container.iter(f"{_CONTAINER}rootfile"):
        path = rootfile.get("full-path")
        if path:
            return path
    raise ReadError("the EPUB names no package file (META-INF/container.xml)")


def _spine(package: Element, folder: str) -> list[str]:
    """Archive names of the spine's XHTML documents, in reading order."""
    manifest = {
        item.get("id"): item
        for item in package.iterfind(f"{_OPF}manifest/{_OPF}item")
        if item.get("media-type") in _XHTML_TYPES
    }
    names: list[str] = []
    for ref in package.iterfind(f"{_OPF}spine/{_OPF}itemref"):
        item = manifest.get(ref.get("idref"))
        href = item.get("href") if item is not None else None
        if href:
            names.append(posixpath.normpath(posixpath.join(folder, unquote(href.split("#")[0]))))
    return names


def _dc(metadata: Element | None, field: str) -> str | None:
    element = metadata.find(f"{_DC}{field}") if metadata is not None else None
    return meta_value(element.text) if element is not None and element.text else None


def _chapter(data: bytes) -> list[Block]:
    blocks: list[Block] = []
    section: str | None = None
    for kind, text in html_items(_decode(data)):
        if kind == "heading":
            section = text
        else:
            blocks.append(Block(text, section=section))
    return blocks


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    match = _XML_ENCODING.match(data.removeprefix(b"\xef\xbb\xbf"))
    codec = match.group(1).decode("ascii") if match else "utf-8"
    try:
        return data.decode(codec, errors="replace").removeprefix("\ufeff")
    except LookupError:
        return data.decode("utf-8", errors="replace")

"""Hostile and damaged files: refused with a clear reason, within bounded time and memory."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from retrieval.errors import SettingsError
from retrieval.readers import (
    LimitExceededError,
    ReadError,
    ReadLimits,
    UnsupportedFormatError,
    read_document,
    read_isolated,
)

from . import makefiles


def billion_laughs(root: str) -> str:
    """An XML entity bomb: &lol9; expands to 10^9 "lol"s."""
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    ]
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [{"".join(entities)}]>\n'


def external_entity(root: str, target: Path) -> str:
    return f'<?xml version="1.0"?>\n<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "{target.as_uri()}">]>\n'


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text("TOPSECRET")
    return path


def document_xml(prolog: str, text: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(makefiles.docx())) as archive:
        body = archive.read("word/document.xml").decode().split("?>", 1)[1]
    return (prolog + body.replace("建设过程", text, 1)).encode()


# -- XML entities -------------------------------------------------------------------------------


def test_docx_with_an_entity_bomb_is_refused() -> None:
    data = makefiles.replace_member(
        makefiles.docx(), "word/document.xml", document_xml(billion_laughs("w:document"), "&lol9;")
    )
    with pytest.raises(ReadError, match="declares a DTD"):
        read_document(data, "bomb.docx")


def test_docx_with_an_external_entity_is_refused(secret: Path) -> None:
    xml = document_xml(external_entity("w:document", secret), "&xxe;")
    data = makefiles.replace_member(makefiles.docx(), "word/document.xml", xml)
    with pytest.raises(ReadError, match="declares a DTD"):
        read_document(data, "xxe.docx")


def test_a_utf16_dtd_is_refused_too(secret: Path) -> None:
    xml = document_xml(external_entity("w:document", secret), "&xxe;").decode()
    xml = xml.replace('version="1.0"?>', 'version="1.0" encoding="UTF-16"?>', 1)
    data = makefiles.replace_member(makefiles.docx(), "docProps/core.xml", xml.encode("utf-16"))
    with pytest.raises(ReadError, match="declares a DTD"):
        read_document(data, "xxe16.docx")


def test_python_docx_own_parser_neither_expands_bombs_nor_loads_files(secret: Path) -> None:
    """The second line of defence, should a DTD get past the check: python-docx's lxml parser
    (resolve_entities=False) and libxml2's amplification limit."""
    from docx.oxml.parser import parse_xml
    from lxml.etree import XMLSyntaxError

    leaked = parse_xml(external_entity("x", secret) + "<x>&xxe;</x>")
    assert "TOPSECRET" not in "".join(leaked.itertext())
    try:
        bombed = parse_xml(billion_laughs("x") + "<x>&lol9;</x>")
    except XMLSyntaxError as exc:
        assert "amplification" in str(exc)
    else:
        assert len("".join(bombed.itertext())) < 1000


def test_epub_package_file_with_entities_is_refused() -> None:
    opf = billion_laughs("package") + makefiles.epub_opf("书", "作者", 2).split("?>", 1)[1]
    data = makefiles.epub(members={"OEBPS/content.opf": opf.replace("书", "&lol9;").encode()})
    with pytest.raises(ReadError, match="declares a DTD or entities"):
        read_document(data, "bomb.epub")


def test_epub_chapter_entities_are_never_expanded(secret: Path) -> None:
    chapter = makefiles.epub_chapter("第一章", ["&xxe;正文。", "&lol9;第二段。"])
    chapter = chapter.replace("<!DOCTYPE html>", external_entity("html", secret).split("\n")[1])
    chapter = billion_laughs("html").split("\n")[1] + chapter.split("?>", 1)[1]
    data = makefiles.epub(members={"OEBPS/text/ch1.xhtml": chapter.encode()})
    doc = read_document(data, "xxe.epub")
    text = "".join(block.text for block in doc.blocks)
    assert "TOPSECRET" not in text and "lollol" not in text
    assert "正文。" in text and len(text) < 2000


def test_html_entities_in_a_dtd_are_never_expanded(secret: Path) -> None:
    page = makefiles.html().decode().replace("<!DOCTYPE html>", billion_laughs("html"))
    page = page.replace("<h1>", f"<p>&lol9;&xxe;{external_entity('p', secret)}</p><h1>")
    doc = read_document(page.encode(), "bomb.html")
    text = "".join(block.text for block in doc.blocks)
    assert "TOPSECRET" not in text and "lollol" not in text and "初心堂" in text


# -- zip bombs ----------------------------------------------------------------------------------


def test_a_member_that_unpacks_far_beyond_its_size_is_refused() -> None:
    data = makefiles.replace_member(makefiles.docx(), "word/media/zeros.bin", bytes(5_000_000))
    with pytest.raises(LimitExceededError, match=r"zip bomb refused.*times its size"):
        read_document(data, "bomb.docx")


def test_an_epub_chapter_bomb_is_refused() -> None:
    data = makefiles.epub(members={"OEBPS/text/ch2.xhtml": b" " * 5_000_000})
    with pytest.raises(LimitExceededError, match="zip bomb refused"):
        read_document(data, "bomb.epub")


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (ReadLimits(max_unzipped=2_000), "unpacks to more than 0.002 MB"),
        (ReadLimits(max_members=5), "more than 5 members"),
        (ReadLimits(max_member=500), "unpacks to more than 0.0005 MB"),
    ],
)
def test_zip_directory_limits(limits: ReadLimits, reason: str) -> None:
    for data, name in ((makefiles.docx(), "a.docx"), (makefiles.epub(), "a.epub")):
        with pytest.raises(LimitExceededError, match=reason):
            read_document(data, name, limits=limits)


def lying_sizes(archive: bytes, member: str, size: int) -> bytes:
    """``archive`` with ``member``'s uncompressed size set to ``size`` in its local header and
    in the central directory (a zip whose directory lies)."""
    data = bytearray(archive)
    name = member.encode()
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, start + offset, size)
            start += 4
    return bytes(data)


def test_a_member_larger_than_its_directory_says_is_refused_while_reading() -> None:
    data = makefiles.replace_member(makefiles.docx(), "word/media/big.bin", bytes(900_000))
    data = lying_sizes(data, "word/media/big.bin", 1000)
    with pytest.raises(ReadError, match=r"big\.bin"):
        read_document(data, "liar.docx")


# -- PDFs ---------------------------------------------------------------------------------------


def test_a_pdf_that_needs_a_password_is_refused() -> None:
    with pytest.raises(ReadError, match="encrypted PDF: it needs a password"):
        read_document(makefiles.pdf(pages=1, encrypt="secret"), "locked.pdf")


def test_an_aes_encrypted_pdf_with_an_empty_password_is_read() -> None:
    data = makefiles.pdf_encrypted_aes(makefiles.pdf(pages=2), user_password="")
    doc = read_document(data, "restricted.pdf")
    assert doc.blocks[0].text == makefiles.SIMPLIFIED["paragraphs"][0]


def test_a_scan_without_text_layer_needs_ocr() -> None:
    with pytest.raises(ReadError, match="no text layer: a scan needs OCR"):
        read_document(makefiles.pdf_image_only(), "scan.pdf")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],
        lambda data: data[:20],
        lambda data: b"%PDF-1.7\n" + bytes(range(256)) * 40,
        lambda data: data.replace(b"/Type /Page", b"/Type /Gage"),
    ],
    ids=["half", "header-only", "garbage", "no-pages"],
)
def test_a_damaged_pdf_is_a_clear_error(damage: object) -> None:
    assert callable(damage)
    with pytest.raises(ReadError) as caught:
        read_document(damage(makefiles.pdf(pages=2)), "damaged.pdf")
    assert "\n" not in str(caught.value)
    assert "PDF" in str(caught.value) or "text layer" in str(caught.value)


# -- sizes, time and memory ---------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused_unread() -> None:
    with pytest.raises(LimitExceededError, match=r"larger than 0\.001 MB"):
        read_document(makefiles.pdf(pages=1), "big.pdf", limits=ReadLimits(max_bytes=1000))


def test_limits_are_checked() -> None:
    with pytest.raises(SettingsError, match="seconds"):
        ReadLimits(seconds=0)
    with pytest.raises(SettingsError, match="memory_mb"):
        ReadLimits(memory_mb=-1)


def test_an_isolated_read_gives_the_same_document() -> None:
    for data, name in (
        (makefiles.pdf("traditional", pages=2), "a.pdf"),
        (makefiles.html(), "a.html"),
    ):
        assert read_isolated(data, name) == read_document(data, name)


def test_an_isolated_read_that_takes_too_long_is_stopped() -> None:
    data = makefiles.pdf(pages=60)  # about a second of reading, and the worker's start
    with pytest.raises(LimitExceededError, match=r"took longer than 0\.2 s"):
        read_isolated(data, "long.pdf", ReadLimits(seconds=0.2))


def test_an_isolated_read_that_needs_too_much_memory_is_stopped() -> None:
    data = ("- 第一项内容比较长" * 3 + "\n").encode() * 60_000  # about 10 MB of markdown
    with pytest.raises(LimitExceededError, match="needed more than 40 MB"):
        read_isolated(data, "huge.md", ReadLimits(memory_mb=40))


def test_isolated_reads_report_reader_errors_and_refuse_unsupported_formats_unstarted() -> None:
    with pytest.raises(ReadError, match="encrypted PDF"):
        read_isolated(makefiles.pdf(pages=1, encrypt="secret"), "locked.pdf")
    with pytest.raises(UnsupportedFormatError):
        read_isolated(b"\x89PNG\r\n\x1a\n" + bytes(64), "x.png")


def test_names_are_only_looked_at(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# 不该读到这里\n")
    doc = read_document("# 上传的文件\n\n内容。".encode(), str(tmp_path / "notes.md"))
    assert doc.title == "上传的文件"
    doc = read_document("# 标题\n\n正文。".encode(), "../../../../etc/passwd.md")
    assert [b.text for b in doc.blocks] == ["正文。"]

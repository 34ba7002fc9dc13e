"""Real files made by real tools, in both scripts, for the reader tests and the bench:
reportlab (its CID fonts draw Chinese without font files) for PDFs, python-docx for Word,
zipfile with hand-written XHTML for EPUB, hand-written HTML and Markdown."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from datetime import datetime

SIMPLIFIED = {
    "font": "STSong-Light",
    "title": "肇庆初心堂建设纪实",
    "author": "李明",
    "site": "肇庆日报",
    "sections": ("建设过程", "主要成效"),
    "paragraphs": (
        "初心堂是肇庆市推进党员教育的重要阵地。截至去年底，全市已建成初心堂一百二十个，覆盖"
        "各个乡镇和街道，成为党员群众学习交流的重要场所。",
        "二〇一九年起，肇庆市委组织部牵头，按照有场所、有标识、有制度的标准推进建设。各县区"
        "结合本地红色资源，打造了一批特色鲜明的初心堂，其中端州区的初心堂最受欢迎。",
        "在建设过程中，各地注重发挥老党员的作用，邀请他们讲述入党经历，使初心堂成为群众身边"
        "的课堂。许多年轻人在这里第一次听到了家乡的革命故事。",
        "据统计，各地初心堂累计开展活动三千余场，参与党员群众超过十万人次，受到广泛好评。",
    ),
    "header": "肇庆日报 2023年6月15日",
    "table": (("县区", "数量"), ("端州区", "二十"), ("鼎湖区", "十五")),
}
TRADITIONAL = {
    "font": "MSung-Light",
    "title": "臺北總統府的歷史",
    "author": "陳志明",
    "site": "臺灣新聞網",
    "sections": ("建築沿革", "開放參觀"),
    "paragraphs": (
        "總統府位於臺北市中正區，原為日治時期的臺灣總督府，於一九一九年落成，是臺北最具代表"
        "性的歷史建築之一，見證了臺灣百年來的發展。",
        "建築採用巴洛克風格，中央塔樓高六十公尺，在當時是全臺最高的建築物。戰後經過整修，成"
        "為中華民國總統辦公的場所，並沿用至今。",
        "總統府自一九九五年起開放民眾參觀，平日上午均可預約導覽，導覽員會介紹建築的歷史與特"
        "色，每年吸引數十萬名遊客到訪。",
        "參觀民眾須攜帶身分證件，並通過安全檢查，館內禁止使用閃光燈拍照，以保護珍貴的文物。",
    ),
    "header": "臺灣新聞網 2022年10月10日",
    "table": (("項目", "時間"), ("平日導覽", "上午九點"), ("假日開放", "每月一次")),
}
SCRIPTS = {"simplified": SIMPLIFIED, "traditional": TRADITIONAL}
Spec = dict[str, object]


def _spec(script: str) -> Spec:
    return SCRIPTS[script]


def _paragraphs(spec: Spec) -> Sequence[str]:
    value = spec["paragraphs"]
    assert isinstance(value, tuple)
    return value


def _sections(spec: Spec) -> Sequence[str]:
    value = spec["sections"]
    assert isinstance(value, tuple)
    return value


# -- PDF ------------------------------------------------------------------------------------


def pdf(
    script: str = "simplified",
    *,
    pages: int = 3,
    encrypt: str | None = None,
    title: str | None = None,
) -> bytes:
    """``pages`` pages, each a chapter heading (第一章 ...) and the four paragraphs (first line
    indented, taken in turn from a different one), a running header and a "第 N 页" footer."""
    from reportlab.lib.pagesizes import A5
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

    spec = _spec(script)
    font = str(spec["font"])
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, firstLineIndent=21,
                          wordWrap="CJK", spaceAfter=0)  # fmt: skip
    head = ParagraphStyle("head", fontName=font, fontSize=14, leading=22, spaceAfter=6)

    def furniture(canvas: object, doc: object) -> None:
        canvas.setFont(font, 8)  # type: ignore[attr-defined]
        canvas.drawString(40, A5[1] - 30, str(spec["header"]))  # type: ignore[attr-defined]
        page = doc.page  # type: ignore[attr-defined]
        canvas.drawCentredString(A5[0] / 2, 25, f"第 {page} 页")  # type: ignore[attr-defined]

    story: list[object] = []
    paragraphs, sections = _paragraphs(spec), _sections(spec)
    for page in range(pages):
        if page:
            story.append(PageBreak())
        number = "一二三四五六七八九十"[page % 10]
        story.append(Paragraph(f"第{number}章 {sections[page % 2]}", head))
        turn = page % len(paragraphs)  # pages differ, as a real document's do
        story.extend(Paragraph(text, body) for text in [*paragraphs[turn:], *paragraphs[:turn]])
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A5, title=title or str(spec["title"]),
                            author=str(spec["author"]), encrypt=encrypt)  # fmt: skip
    doc.build(story, onFirstPage=furniture, onLaterPages=furniture)
    return out.getvalue()


def pdf_encrypted_aes(data: bytes, user_password: str) -> bytes:
    """``data`` re-saved with AES-128 encryption (owner password "owner")."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_image_only() -> bytes:
    """A scan: one page holding a picture and no text layer."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    picture = Image.new("RGB", (200, 100), "white")
    ImageDraw.Draw(picture).rectangle((20, 20, 180, 80), outline="black", width=3)
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawImage(ImageReader(picture), 100, 500, width=200, height=100)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def pdf_lines(pages: Sequence[Sequence[tuple[float, str]]], script: str = "simplified") -> bytes:
    """Pages of lines placed by hand: each (x, text) one line below the last; x is the left
    edge in points ("" leaves an empty line). For the paragraph-joining rules."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    font = str(_spec(script)["font"])
    pdfmetrics.registerFont(UnicodeCIDFont(font))
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(420, 595))
    for lines in pages:
        canvas.setFont(font, 12)
        y = 560.0
        for x, text in lines:
            if text:
                canvas.drawString(x, y, text)
            y -= 18
        canvas.showPage()
    canvas.save()
    return out.getvalue()


# -- DOCX -----------------------------------------------------------------------------------


def docx(script: str = "simplified", *, heading_style: str | None = None) -> bytes:
    """Core properties (title, author, created), a Title paragraph, two Heading 1 sections
    (or sections in a custom style named ``heading_style``, such as "标题 2"), paragraphs and a
    table."""
    import docx as python_docx
    from docx.enum.style import WD_STYLE_TYPE

    spec = _spec(script)
    document = python_docx.Document()
    document.core_properties.title = str(spec["title"])
    document.core_properties.author = str(spec["author"])
    document.core_properties.created = datetime(2023, 6, 15, 8, 0)
    if heading_style:
        document.styles.add_style(heading_style, WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph(str(spec["title"]), style="Title")
    paragraphs, sections = _paragraphs(spec), _sections(spec)
    for i, section in enumerate(sections):
        if heading_style:
            document.add_paragraph(section, style=heading_style)
        else:
            document.add_heading(section, level=1)
        for text in paragraphs[2 * i : 2 * i + 2]:
            document.add_paragraph(text)
    rows = spec["table"]
    assert isinstance(rows, tuple)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def zipped(members: dict[str, bytes]) -> bytes:
    """A zip archive of ``members`` (deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def replace_member(archive: bytes, name: str, data: bytes) -> bytes:
    """The zip ``archive`` with member ``name`` replaced (or added)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(archive)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info, source.read(info))
        target.writestr(name, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


# -- EPUB -----------------------------------------------------------------------------------

_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>"""


def epub_chapter(heading: str, paragraphs: Sequence[str]) -> str:
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="zh">
<head><title>{heading}</title><style>p {{ text-indent: 2em; }}</style></head>
<body><section><h1>{heading}</h1>
{body}
</section></body></html>"""


def epub_opf(title: str, author: str, chapters: int, *, reverse_manifest: bool = True) -> str:
    ids = [f"ch{i + 1}" for i in range(chapters)]
    manifest = [
        f'<item id="{i}" href="text/{i}.xhtml" media-type="application/xhtml+xml"/>' for i in ids
    ]
    if reverse_manifest:  # the spine, not the manifest, gives the reading order
        manifest.reverse()
    spine = "".join(f'<itemref idref="{i}"/>' for i in ids)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="id">urn:uuid:12345678-1234-1234-1234-123456789abc</dc:identifier>
    <dc:title>{title}</dc:title><dc:creator>{author}</dc:creator>
    <dc:date>2021-03-01</dc:date><dc:language>zh</dc:language>
  </metadata>
  <manifest>{"".join(manifest)}<item id="css" href="style.css" media-type="text/css"/></manifest>
  <spine>{spine}</spine>
</package>"""


def epub(script: str = "simplified", *, members: dict[str, bytes] | None = None) -> bytes:
    """Two chapters (one per section), listed in the manifest in reverse order; ``members``
    replace or add archive members (for the hostile variants)."""
    spec = _spec(script)
    paragraphs, sections = _paragraphs(spec), _sections(spec)
    files = {
        "META-INF/container.xml": _CONTAINER.encode(),
        "OEBPS/content.opf": epub_opf(str(spec["title"]), str(spec["author"]), 2).encode(),
        "OEBPS/style.css": b"p { margin: 0 }",
    }
    for i, section in enumerate(sections):
        chapter = epub_chapter(section, paragraphs[2 * i : 2 * i + 2])
        files[f"OEBPS/text/ch{i + 1}.xhtml"] = chapter.encode()
    files.update(members or {})
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/epub+zip", zipfile.ZIP_STORED)
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


# -- HTML and Markdown ----------------------------------------------------------------------


def html(script: str = "simplified") -> bytes:
    """A news page: navigation bar, share widget, footer, entities, one article."""
    spec = _spec(script)
    paragraphs, sections = _paragraphs(spec), _sections(spec)
    quoted = [text.replace("初心堂", "&ldquo;初心堂&rdquo;", 1) for text in paragraphs]
    rows = spec["table"]
    assert isinstance(rows, tuple)
    table = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"""<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8">
<title>{spec["title"]} - {spec["site"]}</title>
<meta name="author" content="{spec["author"]}">
<meta property="og:site_name" content="{spec["site"]}">
<meta property="article:published_time" content="2023-06-15T08:00:00+08:00">
</head><body>
<nav class="navbar"><ul><li><a href="/">首页</a></li><li><a href="/news">新闻中心</a></li>
<li><a href="/about">关于我们</a></li><li><a href="/contact">联系我们</a></li></ul></nav>
<article>
<h1>{spec["title"]}</h1>
<p>{quoted[0]}</p>
<h2>{sections[0]}</h2>
<p>{quoted[1]}</p>
<p>{quoted[2]}</p>
<h2>{sections[1]}</h2>
<p>{quoted[3]}</p>
<table>{table}</table>
</article>
<div class="share-widget">分享到：<a href="#">微信</a> <a href="#">微博</a>
<a href="#">QQ空间</a></div>
<footer>版权所有 &copy; {spec["site"]} 粤ICP备12345678号</footer>
</body></html>""".encode()


def markdown(script: str = "simplified") -> bytes:
    spec = _spec(script)
    paragraphs, sections = _paragraphs(spec), _sections(spec)
    first, second = paragraphs[0], paragraphs[1]
    half = len(first) // 2
    return f"""# {spec["title"]}

<!-- 编辑备注：此处不应出现在正文 -->
{first[:half]}
{first[half:]}

## {sections[0]}

**{second[:6]}**{second[6:]} 详见[官方网站](https://example.org/page)。
![现场照片](photo.jpg)

- {paragraphs[2]}
- {paragraphs[3]}

## {sections[1]}

| {" | ".join(spec["table"][0])} |
| --- | --- |
| {" | ".join(spec["table"][1])} |

```python
print("code")
```
""".encode()

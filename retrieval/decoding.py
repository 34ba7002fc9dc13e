"""Bytes of a corpus file -> text: UTF-8 (with or without BOM), UTF-16 with a BOM, GBK/GB18030
or Big5 when the bytes say so clearly; otherwise a clear refusal, never mojibake."""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable

from .errors import CorpusError
from .normalization import convert


class UndecodableError(CorpusError):
    """The file is not text in an encoding we can tell."""


PLAUSIBLE = 0.5  # right-codec Chinese text scores about 0.8-0.9; a wrong codec far less


def _han_share(text: str) -> float:
    return sum("\u4e00" <= ch <= "\u9fff" for ch in text) / max(len(text), 1)


def _common_share(text: str) -> float:
    """Share of Han characters among the 3755 most common ones (GB2312 level 1), after t2s.

    Text decoded with the right codec is almost all common characters; the wrong codec turns
    it into rare ones.
    """
    han = [ch for ch in convert(text, "t2s") if "\u4e00" <= ch <= "\u9fff"]
    if not han:
        return 0.0
    common = 0
    for ch in han:
        try:
            b = ch.encode("gb2312")
        except UnicodeEncodeError:
            continue
        common += 0xB0 <= b[0] <= 0xD7
    return common / len(han)


def _looks_like_text(text: str) -> bool:
    """Few control, unassigned or private-use characters: text rather than binary."""
    sample = text[:20000]
    if not sample:
        return True
    odd = sum(
        1
        for ch in sample
        if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs") and ch not in "\t\n\r\f"
    )
    return odd / len(sample) < 0.01


Plausibility = Callable[[str], float]


def decode(data: bytes, plausibility: Plausibility | None = None) -> str:
    """The text of ``data``; raises :class:`UndecodableError` saying why not.

    ``plausibility`` scores a candidate decoding (0 to 1, such as the share of it that forms
    dictionary words); without it, the share of common characters is used.
    """
    text = _decode(data, plausibility or _common_share)
    if not _looks_like_text(text):
        raise UndecodableError("binary data, not text")
    return text


def _decode(data: bytes, plausibility: Plausibility) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UndecodableError("UTF-16 with invalid bytes") from exc
        if plausibility(text[:20000]) < PLAUSIBLE and _han_share(text) > 0.5:
            raise UndecodableError("UTF-16 mark, but the text makes no sense (binary data?)")
        return text
    if b"\x00" in data[:4096]:
        raise UndecodableError("binary data, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates: list[tuple[float, str, str]] = []
    for codec in ("gb18030", "big5"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        candidates.append((plausibility(text[:20000]), codec, text))
    candidates.sort(reverse=True)
    if candidates and candidates[0][0] >= PLAUSIBLE:
        return candidates[0][2]
    raise UndecodableError("not UTF-8, and not clearly GBK or Big5 either (invalid bytes?)")

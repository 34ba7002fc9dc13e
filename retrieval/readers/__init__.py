"""Readers: the bytes of one file or web page -> its text blocks (paragraphs, with the page and
section they sit in) and metadata. Format libraries are imported only when a file needs them.

    from retrieval.readers import read_document, read_isolated, ReadLimits
    doc = read_isolated(Path("报告.pdf").read_bytes(), "报告.pdf", ReadLimits(seconds=10))
    for block in doc.blocks:
        print(block.page, block.section, block.text)
"""

from .contract import (
    SUPPORTED,
    Block,
    LimitExceededError,
    ReadDocument,
    ReadError,
    ReadLimits,
    UnsupportedFormatError,
)
from .detect import detect_format
from .isolation import read_isolated
from .reading import read_document

__all__ = [
    "SUPPORTED",
    "Block",
    "LimitExceededError",
    "ReadDocument",
    "ReadError",
    "ReadLimits",
    "UnsupportedFormatError",
    "detect_format",
    "read_document",
    "read_isolated",
]

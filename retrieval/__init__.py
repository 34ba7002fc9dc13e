"""docbot's retrieval library: cited BM25 passage search over cleaned, segmented Chinese text.

from retrieval import Retriever
retriever = Retriever.build(["corpus"], "data/docbot.db")
for hit in retriever.search("肇庆建成了多少个初心堂？", k=3):
    print(hit.title, hit.paragraph, hit.text)
"""

from .answerability import JudgeSettings
from .errors import (
    CorpusError,
    IndexInvalidError,
    IndexMissingError,
    IndexWriteError,
    RetrievalError,
    SettingsError,
)
from .index import BM25Settings, Query, Retriever
from .ingest import BuildReport, Segmenting
from .normalization import detect_script, to_simplified
from .schema import Document, Hit, Passage
from .tokenization import Tokenizer, TokenizerSettings

__all__ = [
    "BM25Settings",
    "BuildReport",
    "CorpusError",
    "Document",
    "Hit",
    "IndexInvalidError",
    "IndexMissingError",
    "IndexWriteError",
    "JudgeSettings",
    "Passage",
    "Query",
    "RetrievalError",
    "Retriever",
    "Segmenting",
    "SettingsError",
    "Tokenizer",
    "TokenizerSettings",
    "detect_script",
    "to_simplified",
]

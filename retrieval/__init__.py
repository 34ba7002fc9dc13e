"""docbot's retrieval library: cited BM25 passage search over cleaned, segmented Chinese text.

from retrieval import Retriever, index_sources, judge
index_sources("my.db", ["corpus"])   # add or refresh sources; other documents stay
retriever = Retriever.open("my.db")
question = retriever.analyze("肇庆建成了多少个初心堂？")
hits = retriever.search(question, k=3)
verdict = judge(retriever, question, hits)
best = hits[verdict.best] if hits else None  # the passage judged (not always the first)
print(verdict.answered, verdict.reason, best and (best.title, best.paragraph, best.text))
"""

from .answerability import JudgeSettings, Verdict, judge
from .bm25 import BM25Settings
from .collection import (
    build_index,
    index_sources,
    list_documents,
    remove_from_index,
    update_index,
)
from .errors import (
    CorpusError,
    IndexCorruptError,
    IndexForeignError,
    IndexInvalidError,
    IndexMissingError,
    IndexOutdatedError,
    IndexWriteError,
    RetrievalError,
    SettingsError,
)
from .normalization import detect_script, to_simplified
from .readers import ReadLimits
from .readers.web import FetchSettings
from .schema import BuildReport, Document, DocumentInfo, Hit, Origin, Passage, Question
from .search import Retriever
from .segmenting import Segmenting
from .tokenization import Tokenizer, TokenizerSettings

__all__ = [
    "BM25Settings",
    "BuildReport",
    "CorpusError",
    "Document",
    "DocumentInfo",
    "FetchSettings",
    "Hit",
    "IndexCorruptError",
    "IndexForeignError",
    "IndexInvalidError",
    "IndexMissingError",
    "IndexOutdatedError",
    "IndexWriteError",
    "JudgeSettings",
    "Origin",
    "Passage",
    "Question",
    "ReadLimits",
    "RetrievalError",
    "Retriever",
    "Segmenting",
    "SettingsError",
    "Tokenizer",
    "TokenizerSettings",
    "Verdict",
    "build_index",
    "detect_script",
    "index_sources",
    "judge",
    "list_documents",
    "remove_from_index",
    "to_simplified",
    "update_index",
]

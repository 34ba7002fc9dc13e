"""Question -> Answer: best sentence, cited passages, "not found", the asker's script.

No I/O and no formatting here: both adapters (console, Telegram) render the same Answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from retrieval import Document, Hit, JudgeSettings, Query, Retriever, detect_script
from retrieval.answer_type import AnswerType, expected_answer
from retrieval.chunking import split_sentences
from retrieval.normalization import Script, convert, matching_form_with_map, to_simplified

MAX_QUESTION_CHARS = 500
POOL = 10  # passages considered for citations and the best sentence


@dataclass(frozen=True)
class Source:
    """Where a passage comes from: document, title, date, source, paragraph."""

    doc: str
    title: str
    date: str | None
    source: str | None
    paragraph: int
    passage_id: str


@dataclass(frozen=True)
class Citation:
    """A passage to show: its text in the display script, where to highlight, and its sources.

    ``sources`` has more than one entry when the same passage stands in several documents.
    """

    text: str
    highlights: tuple[tuple[int, int], ...]
    sources: tuple[Source, ...]
    score: float
    original: str  # the passage in its document's own script


@dataclass(frozen=True)
class Sentence:
    text: str
    highlights: tuple[tuple[int, int], ...]
    source: Source


@dataclass(frozen=True)
class Answer:
    """What the bot says to one question."""

    question: str
    script: Script
    answered: bool
    sentence: Sentence | None
    citations: tuple[Citation, ...]
    near_misses: tuple[Citation, ...] = ()
    coverage: float = 0.0
    understood_as: str | None = None  # the full question, when a follow-up was completed
    problem: str | None = None  # a reason the question could not be asked at all


@dataclass
class Conversation:
    """What a chat remembers between questions: the last question and script."""

    last_question: str | None = None
    script: Script | None = None
    history: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceSettings:
    """How many passages an answer cites, and whether the answer-type preference reranks."""

    k: int = 3
    rerank: bool = True

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")


# A question word of its own makes a question complete, not a follow-up (怎么做, 是谁, 吗).
_OWN_QUESTION = re.compile(r"什么|怎么|怎样|如何|多少|几|谁|哪|吗|为什么|是否")
_FOLLOWUP_FORM = re.compile(
    r"^(?:那|那么|那麼|还有|還有|再问|再問)?\s*(.{1,12}?)\s*呢\s*[?？!！。.]*$"
)
_CLASS = {"ns": "place", "nr": "person", "t": "time", "m": "number"}


def _pos_class(flag: str) -> str | None:
    if flag in ("x", "y", "r", "uj", "ul", "c", "p", "d", "zg", "eng"):
        return None
    return (
        _CLASS.get(flag[:2])
        or _CLASS.get(flag[:1])
        or ("noun" if flag.startswith("n") else flag[:1])
    )


class Service:
    """Turns questions into Answers with one :class:`~retrieval.Retriever`."""

    def __init__(
        self,
        retriever: Retriever,
        settings: ServiceSettings | None = None,
        judging: JudgeSettings | None = None,
        display: tuple[str, str] = ("s2t", "t2s"),
    ) -> None:
        self.retriever = retriever
        self.settings = settings or ServiceSettings()
        self.judging = judging or JudgeSettings()
        self.display_configs = display  # (to Traditional, to Simplified)

    # --- what the index holds, for the adapters (so they need not reach into it) --------

    @property
    def documents(self) -> list[Document]:
        return list(self.retriever.documents.values())

    @property
    def size(self) -> int:
        """How many passages the index holds."""
        return len(self.retriever)

    def passage_count(self, document: str) -> int:
        return self.retriever.passage_count(document)

    def warm(self) -> None:
        """Load dictionaries and tables now, so the first real question is not the slow one."""
        self.retriever.tokenizer.warm()
        self.ask("预热")

    # --- the answer ----------------------------------------------------------------------

    def ask(
        self, question: str, conversation: Conversation | None = None, k: int | None = None
    ) -> Answer:
        """Answer ``question``; with ``conversation``, follow-ups lean on the previous question."""
        question = _clean_question(question)
        script = (
            detect_script(question)
            or (conversation.script if conversation else None)
            or "simplified"
        )
        if not question:
            return Answer(question, script, False, None, (), problem="empty")
        if len(question) > MAX_QUESTION_CHARS:
            return Answer(question, script, False, None, (), problem="too_long")
        answer = self._answer(question, script, k or self.settings.k)
        if conversation is not None and conversation.last_question:
            completed = self.complete_followup(question, conversation.last_question, answer)
            if completed is not None:
                second = self._answer(completed, script, k or self.settings.k)
                # The completed question must find what the follow-up itself names.
                own = set(self.retriever.analyze(question).known)
                best = second.citations[0].sources[0].passage_id if second.citations else None
                if second.answered and best and own & self.retriever.passage_tokens(best):
                    answer = replace(second, question=question, understood_as=completed)
        if conversation is not None:
            conversation.script = script
            if answer.answered:
                conversation.last_question = answer.understood_as or question
            conversation.history.append(question)
        return answer

    def _answer(self, question: str, script: Script, k: int) -> Answer:
        query = self.retriever.analyze(question)
        answer_type = expected_answer(to_simplified(question))
        hits = self.retriever.search_tokens(
            query.tokens,
            POOL,
            answer=answer_type if self.settings.rerank else None,
            words=query.known,
        )
        if not hits:
            return Answer(question, script, False, None, ())
        coverage = self.retriever.coverage(query, hits[0].passage_id)
        citations = self._citations(hits, query, script)
        if not self.is_covered(question, query, hits[:k], coverage):
            return Answer(
                question,
                script,
                False,
                None,
                (),
                near_misses=tuple(citations[:k]),
                coverage=coverage,
            )
        sentence = self._best_sentence(hits[:k], query, answer_type, script)
        return Answer(question, script, True, sentence, tuple(citations[:k]), coverage=coverage)

    def is_covered(self, question: str, query: Query, hits: Sequence[Hit], coverage: float) -> bool:
        """Whether the documents answer ``question``, judged from its best passages.

        The question is not answered when any of these holds:
        - the best passage holds too small a share of the question's information (IDF mass,
          words the corpus lacks counting against it);
        - its unmatched words are the website's furniture (copyright, contact, reposting),
          which cleaning removed, so it asks about the site rather than the articles;
        - it names a place, person, organisation or Latin-script term the corpus never has;
        - it asks how much an attribute is ("…的经费是多少") and the best passage does not name
          that attribute at all.
        """
        if coverage < self.judging.min_coverage:
            return False
        r = self.retriever
        words = set(query.known) | set(query.unknown)
        total = sum(r.weight(w) for w in words) or 1.0
        best = r.passage_tokens(hits[0].passage_id)
        furniture = sum(
            r.weight(w)
            for w in words - best
            if w in r.furniture_words and not r.document_frequency(w)
        )
        if furniture / total >= self.judging.furniture_share:
            return False
        tags = self.retriever.tokenizer.tag(question)
        if any(_is_unknown_entity(w, tags, r) for w in query.unknown):
            return False
        focus = _focus_word(tags, r.tokenizer.stopwords)
        return focus is None or focus in to_simplified(hits[0].text)

    # --- follow-ups ----------------------------------------------------------------------

    def is_followup_form(self, question: str) -> bool:
        """那…呢 / …呢？, or a question of at most one content word."""
        if _FOLLOWUP_FORM.match(question):
            return True
        query = self.retriever.analyze(question)
        return len(query.known) + len(query.unknown) <= 1

    def complete_followup(self, question: str, previous: str, fresh: Answer) -> str | None:
        """The previous question with this one put in, or None if this is not a follow-up.

        A question counts as a follow-up by its form (那…呢, …呢？), or when it is short and
        fails on its own. What it names replaces the previous question's last run of words of
        the same kind (a place for a place, a thing for a thing); with no counterpart it is
        put in front.
        """
        elliptical = len(question) <= 12 and not _OWN_QUESTION.search(to_simplified(question))
        if not (self.is_followup_form(question) or (elliptical and not fresh.answered)):
            return None
        m = _FOLLOWUP_FORM.match(question)
        core = (m.group(1) if m else question).strip()
        tagger = self.retriever.tokenizer
        tags = tagger.tag(core)
        content = [
            i for i, (w, f) in enumerate(tags) if _pos_class(f) and w not in tagger.stopwords
        ]
        if not content:
            return None
        core = "".join(w for w, _ in tags[content[0] : content[-1] + 1])
        kind = _pos_class(tags[content[-1]][1])
        old = tagger.tag(previous)
        same = [i for i, (_, f) in enumerate(old) if _pos_class(f) == kind]
        if not same:
            completed = core + "".join(w for w, _ in old)
        else:
            last = first = same[-1]
            while first - 1 in same:
                first -= 1
            completed = "".join(
                [w for w, _ in old[:first]] + [core] + [w for w, _ in old[last + 1 :]]
            )
        return completed if completed != to_simplified(previous) else None

    # --- pieces of the answer ------------------------------------------------------------

    def display(self, text: str, script: Script) -> str:
        config = self.display_configs[0 if script == "traditional" else 1]
        return convert(text, config)

    def _citations(self, hits: Sequence[Hit], query: Query, script: Script) -> list[Citation]:
        groups: list[tuple[str, Hit, list[Hit]]] = []  # (matching form, first hit, all hits)
        for hit in hits:
            key = to_simplified(hit.text)
            for first_key, _, members in groups:
                if _near_duplicate(key, first_key):
                    members.append(hit)
                    break
            else:
                groups.append((key, hit, [hit]))
        words = _highlight_words(query)
        out = []
        for _, first, members in groups:
            text = self.display(first.text, script)
            sources = tuple(_source(h) for h in members)
            out.append(
                Citation(text, highlight_spans(text, words), sources, first.score, first.text)
            )
        return out

    def _best_sentence(
        self, hits: Sequence[Hit], query: Query, answer_type: AnswerType | None, script: Script
    ) -> Sentence | None:
        """The sentence of the top passages that best answers: question words it holds (by
        weight), more if it carries the asked-for kind of answer near them, scaled by how well
        its passage ranked. Always a sentence of the text, never made up."""
        words = set(query.known)
        best: tuple[float, str, Hit] | None = None
        top = hits[0].score if hits else 1.0
        for hit in hits:
            standing = 0.5 + 0.5 * hit.score / top
            for sentence in split_sentences(hit.text):
                norm = to_simplified(sentence)
                score = sum(self.retriever.weight(w) for w in words if w in norm) * standing
                if answer_type is not None and answer_type.pattern is not None:
                    score *= 1.0 + 0.5 * answer_type.support(norm, query.known)
                if best is None or score > best[0]:
                    best = (score, sentence.strip(), hit)
        if best is None or best[0] <= 0:
            return None
        text = self.display(best[1], script)
        return Sentence(text, highlight_spans(text, _highlight_words(query)), _source(best[2]))


_HOW_MUCH = re.compile(r"^(?:多少|几)")
_NOUN_FLAGS = ("n", "nz", "nt", "vn", "ng", "l")


def _focus_word(tags: list[tuple[str, str]], stopwords: frozenset[str]) -> str | None:
    """The attribute a "<X>是多少" question asks the amount of, when it ends the question."""
    for i, (word, _) in enumerate(tags):
        if not _HOW_MUCH.match(word) or (i and tags[i - 1][0] == "哪"):
            continue
        rest = [w for w, f in tags[i + 1 :] if f not in ("x", "y", "ul", "uj") and w.strip()]
        before = [w for w, _ in tags[max(0, i - 2) : i]]
        if rest or not any(w in ("是", "为", "為") for w in before):
            return None
        for word2, flag in reversed(tags[:i]):
            if word2 in stopwords or word2 in ("是", "为", "為"):
                continue
            return word2 if flag in _NOUN_FLAGS and len(word2) >= 2 else None
    return None


def _is_unknown_entity(word: str, tags: list[tuple[str, str]], retriever: Retriever) -> bool:
    """An out-of-vocabulary name: a Latin-script term, or a place/person/organisation that
    shares no word with the corpus (浙江省, 福建省, GDP), unlike 镇里 or 广东省委."""
    if re.fullmatch(r"[a-z][a-z0-9.+-]*", word):
        return len(word) >= 2
    flag = dict(tags).get(word, "")
    if flag[:2] not in ("ns", "nr", "nt", "nz"):
        return False
    known = retriever.document_frequency
    if any(known(word[i:j]) for i in range(len(word)) for j in range(i + 2, len(word) + 1)):
        return False
    return len(word) >= 3 or not any(known(ch) for ch in word)


def _clean_question(text: str) -> str:
    """Drop format characters (zero-width, direction marks), which join words; turn control,
    surrogate and unassigned characters into spaces; trim."""
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category != "Cf":
            kept.append(" " if category in ("Cc", "Cs", "Co", "Cn") else ch)
    return re.sub(r"\s+", " ", "".join(kept)).strip()


def _source(hit: Hit) -> Source:
    return Source(hit.doc, hit.title, hit.date, hit.source, hit.paragraph, hit.passage_id)


def _near_duplicate(a: str, b: str) -> bool:
    """The same passage text (or one inside the other) counts as one citation."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 20 and short in long_


def _highlight_words(query: Query) -> list[str]:
    """Question words worth marking: longest first, single characters only if nothing longer."""
    words = sorted({w for w in query.known if len(w) >= 2 or w.isdigit()}, key=len, reverse=True)
    return words or sorted(set(query.known), key=len, reverse=True)


def highlight_spans(display: str, words: Sequence[str]) -> tuple[tuple[int, int], ...]:
    """Spans of ``display`` to mark, found on its matching form and mapped back.

    Matching is done on the folded Simplified form; an offset map carries each match to the
    characters of ``display`` it came from, also where the conversion changed the length.
    """
    norm, mapping = matching_form_with_map(display)
    spans: list[tuple[int, int]] = []
    for word in words:
        start = norm.find(word)
        while start >= 0:
            spans.append(mapping.span(start, start + len(word)))
            start = norm.find(word, start + len(word))
    return tuple(_merge(spans))


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged

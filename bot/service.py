"""Question -> Answer: best sentence, cited passages, "not found", the asker's script.

No I/O and no formatting here: both adapters (console, Telegram) render the same Answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from retrieval import Document, Hit, JudgeSettings, Question, Retriever, detect_script, judge
from retrieval.answer_type import person_name
from retrieval.chunking import split_sentences
from retrieval.normalization import Script, to_simplified

from .followups import (
    Completion,
    asked_words,
    asks_a_part,
    complete_followup,
    detail_followup,
    is_followup_form,
    item_followup,
    names_a_part,
    pronoun_followup,
    rest_followup,
    without_subject,
)

MAX_QUESTION_CHARS = 500
_NEAR_MISS = ("constraint_unmet", "answer_missing")  # the documents have it for another
_HAN = re.compile(r"[\u3400-\u9fff]")
_FOREIGN = re.compile(r"[^\W\d_]")  # a letter: with no Han, a question in another language
POOL = 10  # passages considered for citations and the best sentence
COMMON_SHARE = 0.1  # a follow-up's word in more passages than this is not required of an answer


@dataclass(frozen=True)
class Source:
    """Where a passage comes from: document, title, date, source, paragraph; the page (PDF),
    section heading and web address where known."""

    doc: str
    title: str
    date: str | None
    source: str | None
    paragraph: int
    passage_id: str
    page: int | None = None
    section: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Citation:
    """A passage to cite: its text in its document's own script, and its sources.

    ``sources`` has more than one entry when the same passage stands in several documents.
    """

    text: str
    sources: tuple[Source, ...]
    score: float


@dataclass(frozen=True)
class Sentence:
    """The sentence that answers, as its document writes it."""

    text: str
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
    reason: str | None = None  # the verdict's reason (see retrieval.Verdict)
    hits: tuple[Hit, ...] = ()  # the ranked passages the answer was chosen from
    words: tuple[str, ...] = ()  # question words to highlight, in the matching form
    nearest: Sentence | None = None  # a near miss: what the documents say about something else
    missing: tuple[str, ...] = ()  # a near miss: what the question names that they do not


@dataclass
class Conversation:
    """What a chat remembers between questions: the last question and script."""

    last_question: str | None = None
    script: Script | None = None
    last_person: str | None = None  # the person the last answer named, for 他/她 follow-ups
    last_passage: str | None = None  # the passage the last answer cited first, for details
    history: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceSettings:
    """How many passages an answer cites, and whether the answer-type preference reranks."""

    k: int = 3
    rerank: bool = True

    def __post_init__(self) -> None:
        if self.k < 1:
            raise ValueError(f"k must be at least 1, got {self.k}")


class Service:
    """Turns questions into Answers with one :class:`~retrieval.Retriever`."""

    def __init__(
        self,
        retriever: Retriever,
        settings: ServiceSettings | None = None,
        judging: JudgeSettings | None = None,
    ) -> None:
        self.retriever = retriever
        self.settings = settings or ServiceSettings()
        self.judging = judging or JudgeSettings()

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
        k = k or self.settings.k
        analyzed = self.retriever.analyze(question)
        answer = self._answer(analyzed, script, k)
        if conversation is not None and conversation.last_question:
            answer = self._as_followup(
                analyzed,
                answer,
                conversation.last_question,
                k,
                conversation.last_person,
                conversation.last_passage,
            )
        if not answer.answered and _FOREIGN.search(question) and not _HAN.search(question):
            answer = replace(answer, problem="not_chinese")  # (answered: its own words matched)
        if conversation is not None:
            conversation.script = script
            if answer.answered or answer.reason in _NEAR_MISS:  # a near miss too:
                conversation.last_question = answer.understood_as or question  # 那深圳呢？
            conversation.last_person = _person_in(answer, analyzed, self.retriever)
            conversation.last_passage = answer.hits[0].passage_id if answer.answered else None
            conversation.history.append(question)
        return answer

    def _as_followup(
        self,
        question: Question,
        fresh: Answer,
        previous: str,
        k: int,
        person: str | None = None,
        passage: str | None = None,
    ) -> Answer:
        """The answer to ``question`` completed from the ``previous`` one, when it is a
        follow-up and the completed question finds what the follow-up itself names: as the
        same question about something else (那深圳呢？) or as a detail of the same thing
        (队员一共多少人？). Of several completions the first that does wins.
        A follow-up of the form 那…呢 whose completion is a near miss about what it names
        gets that near miss (the documents have it for something else), not its own answer.
        A detail of the same thing is first judged on the ``passage`` the last answer cited,
        when that is among its best and answers it (会上谁讲话: the meeting's own passage)."""
        retriever = self.retriever
        candidates = complete_followup(question, previous, fresh.answered, retriever)
        pronoun = pronoun_followup(question, person)
        if pronoun is not None:  # 她是什么职务？: about the person the last answer named
            candidates.insert(0, pronoun)
        detail = detail_followup(question, previous, retriever)
        if detail is not None:
            candidates.append(Completion(detail))
        item = item_followup(question, previous)
        if item is not None:  # 第四点呢: the previous question, its fourth item first
            candidates.insert(0, item)
        rest = rest_followup(question, previous)
        if rest is not None:  # 剩下的呢 after a part: the passage splitting the total
            candidates.insert(0, rest)
        own = asked_words(question)  # none for 开了多久？: nothing of its own to find
        common = COMMON_SHARE * len(retriever)  # 开展 (for 搞) says little of what is asked
        specific = frozenset(
            w for w in own if len(w) >= 2 and retriever.document_frequency(w) <= common
        )
        free = bool(own) and detail is not None and without_subject(question, retriever)
        near: Answer | None = None
        for completion in candidates:
            completed = completion.text
            among = asks_a_part(question) or (completed != detail and names_a_part(completed))
            part = specific if among else frozenset()  # (其中区直…, then 那市县的呢: a part)
            if completion.item:
                part = frozenset(completion.item)
            every = bool(completion.kept) and not completion.item  # 机关党建 kept, and 示范点
            if every:
                part = frozenset(completion.kept) | specific
            second = self._answer(
                retriever.analyze(completed),
                fresh.script,
                k,
                part,
                exact=bool(completion.item),
                every=every,
                prefer=passage if completed == detail and not part else None,
                prefer_holding=specific,
            )
            second = replace(second, question=question.text, understood_as=completed)
            if near is None and set(second.missing) & own and completed != detail:
                near = second
            if not second.answered or not second.hits:
                continue
            text = to_simplified(second.hits[0].text + second.hits[0].title)
            mine = completion in (pronoun, item, rest)  # (职务: 部长; 第四点: 四要; 剩下的)
            holds = _holds if among else str.__contains__  # (市县 in 市直(县直): a part only)
            lacks_own = specific and not any(holds(text, w) for w in specific)
            if lacks_own and not (free and completed == detail) and not mine:
                continue
            if all(w in to_simplified(second.hits[0].text) for w in completion.kept):
                return second
        return near if near is not None and is_followup_form(question) else fresh

    def _answer(
        self,
        question: Question,
        script: Script,
        k: int,
        own: frozenset[str] = frozenset(),
        exact: bool = False,
        every: bool = False,
        prefer: str | None = None,
        prefer_holding: frozenset[str] = frozenset(),
    ) -> Answer:
        """The answer to ``question``; with ``own`` (a completed follow-up's own words), the
        first of its ``k`` best passages holding one of them is judged first (其中区直机关占
        多少 after 模范机关示范单位: the passage with 区直机关45个, not the total's). With
        ``exact`` (the marks of an item of a list: 三是), the first passage of the best one's
        document writing one of them, among all the candidates. With ``every``, the first
        holding all of ``own`` (示范点 with the kept 机关党建: 机关党建品牌933个、示范点113个, not
        清廉示范点400多个). With ``prefer``, that passage is judged first when it is among the
        ``k`` best, holds every word of ``prefer_holding`` and answers on its own."""
        retriever = self.retriever
        hits = retriever.search(question, POOL, rerank=self.settings.rerank)
        holds = str.__contains__ if exact else _holds
        holding = [  # (and about what the question names: not 村级集体经济 for 其中村级的)
            i
            for i, h in enumerate(hits if exact else hits[:k])
            if (not exact or h.doc == hits[0].doc)
            and (all if every else any)(holds(to_simplified(h.text), w) for w in own)
            and not retriever.unmet(question, h)
        ]
        if holding:
            hits = _to_front(hits, holding[0])
        preferred = [  # (holding the follow-up's own words: not 党员's passage for 初心堂)
            i
            for i, h in enumerate(hits[:k])
            if h.passage_id == prefer and all(w in to_simplified(h.text) for w in prefer_holding)
        ]
        if preferred and judge(retriever, question, [hits[preferred[0]]], self.judging).answered:
            holding = preferred
            hits = _to_front(hits, preferred[0])
        verdict = judge(retriever, question, hits[:k], self.judging)
        hits = _to_front(hits, verdict.best)  # the one judged, when the first is a near miss
        moved = bool(holding and holding[0]) or verdict.best > 0  # (its sentence is the answer)
        if not hits:
            return Answer(question.text, script, False, None, (), reason=verdict.reason)
        cited = tuple(self._citations(hits)[:k])
        answered = verdict.answered
        nearest = verdict.nearest and self._best_sentence([verdict.nearest], question)
        return Answer(
            question.text,
            script,
            answered,
            self._sentence(hits[:k], question, moved) if answered else None,
            cited if answered else (),
            near_misses=() if answered else cited,
            coverage=verdict.coverage,
            reason=verdict.reason,
            hits=tuple(hits),
            words=highlight_words(question),
            nearest=nearest or None,
            missing=verdict.missing,
        )

    # --- what adapters show besides answers ---------------------------------------------

    @property
    def documents(self) -> list[Document]:
        """The indexed documents, in index order."""
        return list(self.retriever.documents.values())

    def passage_count(self, name: str) -> int:
        return self.retriever.passage_count(name)

    def passages_of(self, name: str, limit: int = 40) -> list[str]:
        """The text of the first ``limit`` passages of document ``name``."""
        return self.retriever.document_passages(name, limit)

    @property
    def size(self) -> int:
        """How many passages the index has."""
        return len(self.retriever)

    def warm(self) -> None:
        """Load the dictionaries and answer once, so that the first real question is fast."""
        self.retriever.tokenizer.warm()
        self.ask("预热")

    # --- pieces of the answer ------------------------------------------------------------

    def _citations(self, hits: Sequence[Hit]) -> list[Citation]:
        groups: list[tuple[str, Hit, list[Hit]]] = []  # (matching form, first hit, all hits)
        for hit in hits:
            key = to_simplified(hit.text)
            for first_key, _, members in groups:
                if _near_duplicate(key, first_key):
                    members.append(hit)
                    break
            else:
                groups.append((key, hit, [hit]))
        return [
            Citation(first.text, tuple(_source(h) for h in members), first.score)
            for _, first, members in groups
        ]

    def _sentence(self, hits: Sequence[Hit], question: Question, moved: bool) -> Sentence | None:
        """The answer sentence: of the first passage when it was put first (a part asked, a
        later hit judged), else of the best passages."""
        first = self._best_sentence(hits[:1], question) if moved else None
        return first or self._best_sentence(hits, question)

    def _best_sentence(self, hits: Sequence[Hit], question: Question) -> Sentence | None:
        """The sentence of the top passages that best answers: question words it holds (by
        weight), more if it carries the asked-for kind of answer near them, scaled by how well
        its passage ranked. Always a sentence of the text, never made up."""
        if question.constraints:  # not from a passage about another place or post
            hits = [h for h in hits if not self.retriever.unmet(question, h)] or hits
        words = set(question.known)
        answer_type = question.answer
        best: tuple[float, str, Hit] | None = None
        top = max((h.score for h in hits), default=1.0) or 1.0
        for hit in hits:
            standing = 0.5 + 0.5 * hit.score / top
            for sentence in split_sentences(hit.text):
                if _ASKS.search(sentence):
                    continue  # (an interview's 问：…？ is no answer)
                norm = to_simplified(sentence)
                score = sum(self.retriever.weight(w) for w in words if w in norm) * standing
                if answer_type is not None and answer_type.pattern is not None:
                    score *= 1.0 + 0.5 * answer_type.support(norm, question.known)
                if best is None or score > best[0]:
                    best = (score, sentence.strip(), hit)
        if best is None or best[0] <= 0:
            return None
        return Sentence(best[1], _source(best[2]))


_ASKS = re.compile(r"^\s*(?:问|問)\s*[：:]|[？?][”」』）)]*\s*$")  # a sentence that asks


def _holds(text: str, word: str) -> bool:
    """Whether ``text`` holds ``word``, or, for a word of two characters, both of them in
    order a few characters apart (市县 in 市直(县直)机关: an abbreviation written out)."""
    if word in text:
        return True
    return (
        len(word) == 2
        and re.search(f"{re.escape(word[0])}.{{1,3}}?{re.escape(word[1])}", text) is not None
    )


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
    return Source(
        hit.doc, hit.title, hit.date, hit.source, hit.paragraph, hit.passage_id, hit.page,
        hit.section, hit.url,
    )  # fmt: skip


def _near_duplicate(a: str, b: str) -> bool:
    """The same passage text (or one inside the other) counts as one citation."""
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 20 and short in long_


def highlight_words(question: Question) -> tuple[str, ...]:
    """Question words worth marking: longest first, single characters only if nothing longer."""
    known = question.known
    words = sorted({w for w in known if len(w) >= 2 or w.isdigit()}, key=len, reverse=True)
    return tuple(words or sorted(set(known), key=len, reverse=True))


def _to_front(hits: list[Hit], i: int) -> list[Hit]:
    """``hits`` with the ``i``-th first, the others in their order."""
    return [hits[i], *hits[:i], *hits[i + 1 :]] if i else hits


def _person_in(answer: Answer, question: Question, retriever: Retriever) -> str | None:
    """The person an answer to a 谁 question names in its best sentence: after the post the
    question names (深圳市委书记王伟中), the word jieba tags as a person name there."""
    kind = question.answer
    if not answer.answered or answer.sentence is None or kind is None or kind.kind != "person":
        return None
    text = to_simplified(answer.sentence.text)
    spans = kind.spans(text)
    if kind.unit:  # the post as the question names it first (省委书记李希 is another's)
        spans.sort(key=lambda span: kind.unit not in text[max(0, span[0] - 6) : span[1]])
    else:  # the one nearest what the question asks about (省长马兴瑞主持 for 谁主持)
        near = [
            m.span() for w in question.known if len(w) >= 2 for m in re.finditer(re.escape(w), text)
        ]
        spans.sort(key=lambda span: min((abs(span[0] - a) for a, _ in near), default=0))
    for start, end in spans:
        found = person_name(text[start:end])
        names = [w for w, flag in retriever.tags(text[start : end + 2]) if flag == "nr"]
        return next((n for n in names if n in found or found in n), found) or None
    return None

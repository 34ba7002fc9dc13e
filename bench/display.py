"""Which OpenCC config shows Simplified text to a Traditional reader as Traditional writers do.

    python -m bench.display [--top 10] [--eval DIR] [--corpus DIR]

Traditional text goes through t2s (what a Simplified copy of it would hold) and back with each
candidate config; every character that comes back different from the original is counted. Two
sets: the DRCD dev passages (Taiwan Wikipedia) and the bundled collection's own Traditional
documents (those retrieval.detect_script calls Traditional, cleaned as at index time; any of
their lines in Simplified are left out). The last row is ``to_script`` itself: the default
config plus the corrections table. Then, for each correction taken or not taken, how often it
mends a difference and how often it would spoil a character that was right, and how each set
writes the two forms. Last, the other direction: Simplified text (CMRC passages, the
collection's Simplified documents) through a Traditional copy and back.
"""

from __future__ import annotations

import argparse
import difflib
import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from retrieval.cleaning import clean_document
from retrieval.decoding import decode
from retrieval.normalization import (
    TRADITIONAL_CORRECTIONS,
    TRADITIONAL_DISPLAY,
    Script,
    convert,
    detect_script,
    to_script,
)

REPO = Path(__file__).resolve().parent.parent
EVAL = Path("/work/shared/eval")
CONFIGS = ("s2t", "s2tw", "s2twp", "s2hk", "s2hkp")


@dataclass
class Tally:
    """Characters shown against characters changed, and which changes."""

    chars: int = 0
    changed: int = 0
    texts: int = 0
    texts_changed: int = 0
    pairs: Counter[tuple[str, str]] = field(default_factory=Counter)

    def per_10k(self) -> float:
        return 10_000 * self.changed / self.chars if self.chars else 0.0


def passages(path: Path) -> list[str]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f if line.strip()]


def collection_texts(corpus: Path, script: Script) -> tuple[list[str], list[str], int]:
    """Lines (title and paragraphs) of the documents mostly in ``script``; their file names;
    the number of their lines in the other script, left out."""
    texts: list[str] = []
    names: list[str] = []
    dropped = 0
    for path in sorted(corpus.glob("*.txt")):
        doc = clean_document(decode(path.read_bytes()))
        lines = [doc.title, *doc.paragraphs]
        if detect_script("\n".join(lines)) != script:
            continue
        names.append(path.name)
        for line in lines:
            if detect_script(line) not in (script, None):
                dropped += 1
            else:
                texts.append(line)
    return texts, names, dropped


def differences(original: str, shown: str) -> Iterator[tuple[str, str]]:
    """(original piece, shown piece) for each changed stretch, character by character where
    the lengths agree."""
    if len(original) == len(shown):
        yield from ((a, b) for a, b in zip(original, shown, strict=True) if a != b)
        return
    matcher = difflib.SequenceMatcher(None, original, shown, autojunk=False)
    for tag, a0, a1, b0, b1 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if a1 - a0 == b1 - b0:
            yield from differences(original[a0:a1], shown[b0:b1])
        else:
            yield original[a0:a1], shown[b0:b1]


def measure(texts: Sequence[str], show: Callable[[str], str], there: str = "t2s") -> Tally:
    """Round-trip each text through ``there`` and ``show``; count what comes back different."""
    tally = Tally()
    for text in texts:
        pairs = list(differences(text, show(convert(text, there))))
        tally.chars += len(text)
        tally.texts += 1
        tally.texts_changed += bool(pairs)
        tally.changed += sum(max(len(a), len(b)) for a, b in pairs)
        tally.pairs.update(pairs)
    return tally


def correction_effect(texts: Sequence[str], config: str, wrong: str, right: str) -> tuple[int, int]:
    """(mended, spoiled): places where ``config`` writes ``wrong`` and the original has
    ``right``, and places where the original has ``wrong`` too."""
    mended = spoiled = 0
    for text in texts:
        shown = convert(convert(text, "t2s"), config)
        if len(shown) != len(text):
            continue
        start = shown.find(wrong)
        while start >= 0:
            here = text[start : start + len(wrong)]
            mended += here == right
            spoiled += here == wrong
            start = shown.find(wrong, start + 1)
    return mended, spoiled


def converter(config: str) -> Callable[[str], str]:
    return lambda text: convert(text, config)


def usage(texts: Sequence[str], form: str) -> int:
    return sum(text.count(form) for text in texts)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def top_pairs(tally: Tally, n: int) -> str:
    return " ".join(f"{a}→{b}×{c}" for (a, b), c in tally.pairs.most_common(n))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--top", type=int, default=10, help="differences listed per config")
    ap.add_argument("--eval", type=Path, default=EVAL, help="folder of the DRCD and CMRC files")
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus")
    args = ap.parse_args()
    own, names, dropped = collection_texts(args.corpus, "traditional")
    sets = {"DRCD": passages(args.eval / "drcd_dev_passages.jsonl"), "collection": own}
    print(f"DRCD: {len(sets['DRCD'])} passages, {sum(map(len, sets['DRCD']))} characters")
    print(
        f"collection: {', '.join(names)}: {len(own)} lines, {sum(map(len, own))} characters "
        f"({dropped} Simplified lines left out)\n"
    )
    print_configs(sets, args.top)
    print_corrections(sets)
    simplified = {
        "CMRC": passages(args.eval / "cmrc_dev_passages.jsonl"),
        "collection": collection_texts(args.corpus, "simplified")[0],
    }
    print_simplified(simplified)


def print_configs(sets: dict[str, list[str]], top: int) -> None:
    shows: dict[str, Callable[[str], str]] = {c: converter(c) for c in CONFIGS}
    shows[f"to_script ({TRADITIONAL_DISPLAY} + corrections)"] = lambda text: to_script(
        text, "traditional"
    )
    header = ["config"]
    for name, texts in sets.items():
        header += [f"{name} changed", "per 10k", f"unchanged (of {len(texts)})"]
    rows = []
    tallies: dict[tuple[str, str], Tally] = {}
    for config, show in shows.items():
        row: list[object] = [config]
        for name, texts in sets.items():
            tally = tallies[config, name] = measure(texts, show)
            row += [tally.changed, f"{tally.per_10k():.1f}", tally.texts - tally.texts_changed]
        rows.append(row)
    print(table(header, rows))
    for config in shows:
        print(f"\n{config}")
        for name in sets:
            print(f"  {name}: {top_pairs(tallies[config, name], top)}")


# Differences the measurement shows that are not corrected, and why.
NOT_TAKEN = {
    "臺": ("台", "the collection writes both (台 5, 臺 6); DRCD both (345, 199)"),
    "平臺": ("平台", "the collection writes both (平台 4, 平臺 3)"),
    "徵集": ("征集", "the collection's 征集 is a Simplified form; DRCD writes 徵集"),
    "佔": ("占", "the collection has neither; DRCD writes both (占 132, 佔 73)"),
    "汙": ("污", "the collection has neither (s2tw's 汙 is Taiwan's standard form)"),
    "髮": ("發", "mends 不斷發揮 and 帶頭發起 once each; spoils DRCD's 頭髮, 毛髮, 髮型 7 times"),
}


def print_corrections(sets: dict[str, list[str]]) -> None:
    configs = ("s2t", TRADITIONAL_DISPLAY)
    header = ["", "correction"]
    header += [f"{c} {name}: mended/spoiled" for c in configs for name in sets]
    header += [f"{name} writes right:wrong" for name in sets]
    rows = []
    candidates = [(w, r, "taken") for w, r in TRADITIONAL_CORRECTIONS.items()]
    candidates += [(w, r, "not taken") for w, (r, _) in NOT_TAKEN.items()]
    for wrong, right, verdict in candidates:
        row: list[object] = [verdict, f"{wrong}→{right}"]
        for config in configs:
            for texts in sets.values():
                row.append("{}/{}".format(*correction_effect(texts, config, wrong, right)))
        row += [f"{usage(texts, right)}:{usage(texts, wrong)}" for texts in sets.values()]
        rows.append(row)
    print("\nCorrections (applied after any Traditional config)")
    print(table(header, rows))
    for wrong, (right, why) in NOT_TAKEN.items():
        print(f"  not {wrong}→{right}: {why}")


def print_simplified(sets: dict[str, list[str]]) -> None:
    """The other direction: Simplified text through a Traditional copy and back."""
    rows = []
    for config in ("t2s", "tw2s", "hk2s"):
        row: list[object] = [config]
        for there in ("s2t", "s2tw"):
            for texts in sets.values():
                tally = measure(texts, converter(config), there=there)
                row.append(f"{tally.changed} ({tally.per_10k():.1f})")
        rows.append(row)
    header = ["config"] + [f"from {t}: {n}" for t in ("s2t", "s2tw") for n in sets]
    print("\nSimplified readers: characters changed (per 10k)")
    print(table(header, rows))


if __name__ == "__main__":
    main()

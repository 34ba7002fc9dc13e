"""Reading speed per format on generated files (tests/retrieval/makefiles.py), in process and
isolated in a worker process (read_isolated: a fresh interpreter per file).

    python -m bench.readers [--pages 20] [--seconds 3]

Each format is read once first (imports the library, not timed), then as often as fits in
``--seconds``; the table gives the rate and the time per file.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

from retrieval.readers import read_document, read_isolated
from tests.retrieval import makefiles


def rate(read: Callable[[], object], seconds: float) -> tuple[int, float]:
    read()  # imports the format library
    times: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or len(times) < 3:
        start = time.perf_counter()
        read()
        times.append(time.perf_counter() - start)
    return len(times), statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=20, help="pages of the PDF")
    ap.add_argument("--seconds", type=float, default=3.0, help="time per measurement")
    args = ap.parse_args()
    files = {
        "pdf": (makefiles.pdf("simplified", pages=args.pages), "doc.pdf"),
        "html": (makefiles.html("simplified"), "page.html"),
        "docx": (makefiles.docx("simplified"), "doc.docx"),
        "epub": (makefiles.epub("simplified"), "book.epub"),
        "markdown": (makefiles.markdown("simplified"), "notes.md"),
    }
    print("| format | file | blocks | in process | per file | isolated per file |")
    print("|---|---|---|---|---|---|")
    for kind, (data, name) in files.items():
        blocks = len(read_document(data, name).blocks)
        _, median = rate(lambda d=data, n=name: read_document(d, n), args.seconds)
        _, isolated = rate(lambda d=data, n=name: read_isolated(d, n), args.seconds)
        size = f"{len(data) / 1000:.0f} kB" + (f", {args.pages} pages" if kind == "pdf" else "")
        speed = (
            f"{args.pages / median:.0f} pages/s" if kind == "pdf" else f"{1 / median:.0f} docs/s"
        )
        print(
            f"| {kind} | {size} | {blocks} | {speed} | {median * 1000:.1f} ms "
            f"| {isolated * 1000:.0f} ms |"
        )


if __name__ == "__main__":
    main()

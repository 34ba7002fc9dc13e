"""Segmenting passages for the index: in this process, or by a pool of worker processes.

jieba is pure Python, so a large build segments in several processes. A worker ends by itself
when the process that started it is gone (killed by the OOM killer or a supervisor), rather
than staying behind idle with its dictionary loaded.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from .tokenization import Tokenizer, TokenizerSettings

ORPHAN_CHECK_SECONDS = 0.5


@dataclass(frozen=True)
class Segmenting:
    """How passages are segmented: in this process, or by ``workers`` processes once a batch
    holds at least ``parallel_min`` passages still to segment."""

    workers: int = os.cpu_count() or 1
    parallel_min: int = 2000
    batch: int = 20_000

    def segment(self, keys: list[str], tokenizer: Tokenizer) -> dict[str, str]:
        """The tokens of each text of ``keys`` (in the matching form), space-separated."""
        if self.workers <= 1 or len(keys) < self.parallel_min:
            return {k: " ".join(tokenizer.tokens_of_normalized(k)) for k in keys}
        with ProcessPoolExecutor(
            self.workers,
            initializer=_start_worker,
            initargs=(tokenizer.settings, tokenizer.cache_dir, os.getpid()),
        ) as pool:
            return dict(zip(keys, pool.map(_segment, keys, chunksize=64), strict=True))


_worker_tokenizer: Tokenizer | None = None


def _start_worker(settings: TokenizerSettings, cache_dir: str, parent: int) -> None:
    global _worker_tokenizer
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()
    _worker_tokenizer = Tokenizer(settings, cache_dir=cache_dir)
    _worker_tokenizer.warm()


def _exit_when_orphaned(parent: int) -> None:
    """End this worker as soon as ``parent`` is no longer its parent process."""
    while os.getppid() == parent:
        threading.Event().wait(ORPHAN_CHECK_SECONDS)
    os._exit(1)


def _segment(key: str) -> str:
    assert _worker_tokenizer is not None
    return " ".join(_worker_tokenizer.tokens_of_normalized(key))

"""Reading in a worker process with real limits: wall-clock time (the worker is killed) and
address space (RLIMIT_AS). A parser that hangs or grows without bound costs one file, not the
caller.

The worker is a fresh interpreter (``python -I -c``) fed the request on stdin; it answers with
JSON on stdout (plain data: nothing from a hostile file is unpickled in the caller). It loads the
readers package without the search library's imports (numpy, jieba), about a second less per
file. POSIX only (resource limits).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from .contract import (
    DEFAULT_LIMITS,
    Block,
    LimitExceededError,
    ReadDocument,
    ReadError,
    ReadLimits,
    megabytes,
)
from .detect import detect_format
from .reading import read_document

PACKAGE = Path(__file__).resolve().parent.parent  # the retrieval package folder
_BOOT = (
    "import sys, types\n"
    "package = types.ModuleType('retrieval')\n"
    "package.__path__ = [sys.argv[1]]\n"
    "sys.modules['retrieval'] = package\n"
    "from retrieval.readers.isolation import work\n"
    "sys.exit(work())\n"
)
_LIBRARIES = {
    "pdf": ("pypdf",),
    "docx": ("docx",),
    "epub": ("defusedxml.ElementTree",),
    "html": ("trafilatura",),
    "markdown": ("markdown_it",),
}


def read_isolated(
    data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS, *, url: str | None = None
) -> ReadDocument:
    """:func:`read_document` in a worker process bounded by ``limits.seconds`` and
    ``limits.memory_mb``; raises LimitExceededError naming the limit it hit."""
    if len(data) > limits.max_bytes:
        raise LimitExceededError(f"larger than {megabytes(limits.max_bytes)}")
    if detect_format(data, name) in ("text", "jsonl"):
        return read_document(data, name, limits=limits, url=url)  # our own decoder: no worker
    request = {"name": name, "url": url, "limits": dataclasses.asdict(limits)}
    command = [sys.executable, "-I", "-c", _BOOT, str(PACKAGE)]
    pipe = subprocess.PIPE
    with subprocess.Popen(command, stdin=pipe, stdout=pipe, stderr=subprocess.DEVNULL) as proc:
        try:
            out, _ = proc.communicate(json.dumps(request).encode() + b"\n" + data, limits.seconds)
        except subprocess.TimeoutExpired:
            raise LimitExceededError(f"took longer than {limits.seconds:g} s") from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    return _answer(out, proc.returncode, limits)


def _answer(out: bytes, code: int, limits: ReadLimits) -> ReadDocument:
    try:
        answer: dict[str, Any] = json.loads(out)
    except ValueError:
        answer = {}
    if "document" in answer:
        fields = answer["document"]
        blocks = tuple(Block(**block) for block in fields.pop("blocks"))
        return ReadDocument(**fields, blocks=blocks)
    error, message = answer.get("error"), str(answer.get("message", ""))
    if error == "memory":
        raise LimitExceededError(f"needed more than {limits.memory_mb} MB")
    if error == "limit":
        raise LimitExceededError(message)
    if error == "read":
        raise ReadError(message)
    if code == -signal.SIGXCPU:
        raise LimitExceededError(f"took longer than {limits.seconds:g} s")
    what = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit status {code}"
    raise ReadError(f"the reader stopped unexpectedly ({what}); out of memory?")


def work() -> int:
    """The worker: a request on stdin, one JSON answer on stdout."""
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing a library prints can garble the answer
    request = json.loads(sys.stdin.buffer.readline())
    data = sys.stdin.buffer.read()
    limits = ReadLimits(**request["limits"])
    try:
        for module in _LIBRARIES.get(detect_format(data, request["name"]), ()):
            __import__(module)
        _limit_self(limits)
        document = read_document(data, request["name"], limits=limits, url=request["url"])
        answer: dict[str, Any] = {"document": dataclasses.asdict(document)}
    except MemoryError:
        answer = {"error": "memory"}
    except LimitExceededError as exc:
        answer = {"error": "limit", "message": str(exc)}
    except ReadError as exc:
        answer = {"error": "read", "message": str(exc)}
    except Exception as exc:  # a reader's bug: still one clear line for the caller
        answer = {"error": "read", "message": f"the reader failed ({type(exc).__name__})"}
    out.write(json.dumps(answer, ensure_ascii=False).encode())
    out.flush()
    return 0


def _limit_self(limits: ReadLimits) -> None:
    """Address space: what the worker uses now plus ``memory_mb``; CPU time: a backstop."""
    import resource

    with contextlib.suppress(OSError, ValueError):
        pages = int(Path("/proc/self/statm").read_text().split()[0])
        size = pages * resource.getpagesize() + limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (size, resource.getrlimit(resource.RLIMIT_AS)[1]))
    with contextlib.suppress(OSError, ValueError):
        seconds = math.ceil(limits.seconds) + 1
        resource.setrlimit(
            resource.RLIMIT_CPU, (seconds, resource.getrlimit(resource.RLIMIT_CPU)[1])
        )

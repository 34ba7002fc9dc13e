"""The docbot command, run as a user would: real processes, exit codes, stdout/stderr."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS, REPO, SEED_QUESTIONS, docbot, needs_eval

pytestmark = pytest.mark.slow  # subprocesses, faults or whole evaluation sets


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with the corpus and an index built by `docbot index`."""
    d = tmp_path_factory.mktemp("cli")
    shutil.copytree(CORPUS, d / "corpus")
    result = docbot("index", cwd=d)
    assert result.returncode == 0, result.stderr
    assert "Indexed 5 documents" in result.stderr
    return d


def test_index_is_incremental_on_the_second_run(workdir: Path) -> None:
    result = docbot("index", cwd=workdir)
    assert result.returncode == 0
    assert "5 unchanged" in result.stderr


def test_ask_one_question(workdir: Path) -> None:
    result = docbot("ask", "肇庆一共建成了多少个初心堂？", cwd=workdir)
    assert result.returncode == 0, result.stderr
    assert "1552" in result.stdout
    assert "《推动党的组织优势转化为高质量发展优势" in result.stdout and "¶" in result.stdout
    assert "\033[" not in result.stdout  # no colour when piped
    assert "«" in result.stdout


def test_ask_json_lines_from_stdin(workdir: Path) -> None:
    stdin = "深圳建了多少個暖蜂驛站？\n红烧肉怎么做才好吃？\n\n那司机之家呢？\n"
    result = docbot("ask", "--json", "-k", "2", cwd=workdir, stdin=stdin)
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"] for r in rows] == [
        "深圳建了多少個暖蜂驛站？",
        "红烧肉怎么做才好吃？",
        "那司机之家呢？",
    ]
    first, second, third = rows
    assert first["answered"] and first["script"] == "traditional"
    assert (
        first["answer"]["doc"] == "003_62f9692f69b22526.txt"
        and "1178" in first["answer"]["sentence"]
    )
    p = first["passages"][0]
    assert {"doc", "title", "paragraph", "score", "text"} <= set(p) and len(first["passages"]) <= 2
    assert "驿站" in p["text"]  # the passage in its document's own (Simplified) script
    assert not second["answered"] and second["passages"] == [] and second["answer"] is None
    assert third["understood_as"] is None  # batch lines are independent without --conversation


def test_ask_conversation_flag_links_lines(workdir: Path) -> None:
    stdin = "深圳建了多少个暖蜂驿站？\n那司机之家呢？\n"
    result = docbot("ask", "--json", "--conversation", cwd=workdir, stdin=stdin)
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert "司机之家" in rows[1]["understood_as"] and "61" in rows[1]["answer"]["sentence"]


def test_console_session_from_scripted_stdin(workdir: Path) -> None:
    stdin = ":help\n肇庆一共建成了多少个初心堂？\n:original\n深圳建了多少個暖蜂驛站？\n:quit\n"
    result = docbot("console", cwd=workdir, stdin=stdin)
    assert result.returncode == 0, result.stderr
    assert ":quit" in result.stdout and "1552" in result.stdout
    assert "Traceback" not in result.stderr


def test_console_ends_on_end_of_input(workdir: Path) -> None:
    result = docbot("console", cwd=workdir, stdin="肇庆建成了多少个初心堂\n")
    assert result.returncode == 0 and "1552" in result.stdout


def test_missing_index_is_one_clear_line(tmp_path: Path) -> None:
    result = docbot("--index", str(tmp_path / "nope.db"), "ask", "问题", cwd=tmp_path)
    assert result.returncode == 1
    assert (
        result.stderr.strip().startswith("Error: No index at") and "docbot index" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_bad_option_and_bad_config(tmp_path: Path) -> None:
    result = docbot("ask", "-k", "0", "问题", cwd=tmp_path)
    assert result.returncode == 2 and "Error:" in result.stderr
    (tmp_path / "config.toml").write_text("[retrieval]\nkay = 3\n", encoding="utf-8")
    result = docbot("ask", "问题", cwd=tmp_path)
    assert result.returncode == 2
    assert "config.toml" in result.stderr and "kay" in result.stderr
    assert "Traceback" not in result.stderr


def test_index_of_missing_path(tmp_path: Path) -> None:
    result = docbot("index", str(tmp_path / "missing"), cwd=tmp_path)
    assert result.returncode == 1 and "No such file or folder" in result.stderr


@needs_eval
def test_eval_reports_the_figures(workdir: Path) -> None:
    result = docbot("eval", str(SEED_QUESTIONS), "--json", cwd=workdir)
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["answerable"] == 31 and figures["unanswerable"] == 14
    assert {
        "hit@1",
        "hit@3",
        "hit@5",
        "mrr@10",
        "answer_in_top1",
        "rejection_of_unanswerable",
    } <= set(figures)


def test_malformed_question_file_is_one_line(workdir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"question": "no id"}\nnot json\n', encoding="utf-8")
    result = docbot("eval", str(bad), cwd=workdir)
    assert result.returncode == 1
    assert (
        result.stderr.startswith(f"Error: {bad}:1: not a question")
        and "Traceback" not in result.stderr
    )


def test_index_and_config_options_work_after_the_command(workdir: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    built = docbot("index", str(workdir / "corpus" / "000_834f884de4a1454c.txt"), "--index",
                   str(other), "-q", cwd=workdir)  # fmt: skip
    assert built.returncode == 0, built.stderr
    asked = docbot(
        "ask", "肇庆一共建成了多少个初心堂？", "--json", "--index", str(other), cwd=workdir
    )
    assert asked.returncode == 0, asked.stderr
    docs = {p["doc"] for p in json.loads(asked.stdout)["passages"]}
    assert docs <= {"000_834f884de4a1454c.txt"}  # only the one document of other.db
    config = tmp_path / "c.toml"
    config.write_text(f'[index]\npath = "{other}"\n', encoding="utf-8")
    by_config = docbot("ask", "党建", "--json", "--config", str(config), cwd=workdir)
    assert by_config.returncode == 0 and json.loads(by_config.stdout)["passages"]
    # after the command wins over before it
    both = docbot("--index", str(tmp_path / "nope.db"), "ask", "党建", "--index", str(other),
                  cwd=workdir)  # fmt: skip
    assert both.returncode == 0, both.stderr


def test_output_read_in_part_ends_quietly(workdir: Path) -> None:
    questions = "肇庆一共建成了多少个初心堂？\n深圳建了多少個暖蜂驛站？\n" * 150
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ask", "--json"],
        cwd=workdir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    proc.stdin.write(questions.encode())
    proc.stdin.close()
    assert proc.stdout.read(10) == b'{"question'
    proc.stdout.close()  # as `head -c 10` does
    assert proc.wait(timeout=240) == 0
    with proc.stderr:
        assert proc.stderr.read() == b""


def test_library_messages_name_no_command() -> None:
    """The library's messages say what is wrong; which command to run is the CLI's hint."""
    command = re.compile(r"(?:[Rr]un|[Ww]ith|[Uu]se)[: ]+docbot|--(?:index|config)\b")
    for module in (REPO / "retrieval").rglob("*.py"):
        assert not command.search(module.read_text(encoding="utf-8")), module

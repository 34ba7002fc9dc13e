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


def test_own_documents_from_the_command_line(tmp_path: Path) -> None:
    """A folder of every format indexed beside the bundled corpus, answered in both scripts
    and cited with page and section; kept by a plain `docbot index` (what `make run` runs);
    listed by `docbot docs`; forgotten by `docbot remove`."""
    from tests.retrieval import makefiles

    shutil.copytree(CORPUS, tmp_path / "corpus")
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.pdf").write_bytes(makefiles.pdf("simplified", pages=3))
    (mine / "museum.docx").write_bytes(makefiles.docx("traditional"))
    (mine / "slides.pptx").write_bytes(makefiles.zipped({"ppt/presentation.xml": b"<p/>"}))
    assert docbot("index", cwd=tmp_path).returncode == 0
    result = docbot("index", "mine", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Skipped mine/slides.pptx: .pptx files are not supported" in result.stderr
    assert "2 added" in result.stderr and "0 removed" in result.stderr
    assert "5 unchanged" in result.stderr or "Indexed 7 documents" in result.stderr
    stdin = "初心堂累计开展了多少场活动？\n總統府什麼時候開放參觀？\n深圳建了多少个暖蜂驿站？\n"
    asked = docbot("ask", "--json", "-k", "5", cwd=tmp_path, stdin=stdin)
    pdf_row, docx_row, corpus_row = (json.loads(line) for line in asked.stdout.splitlines())
    pdf_hit = next(p for p in pdf_row["passages"] if p["doc"] == "report.pdf")
    assert pdf_hit["page"] in (1, 2, 3) and pdf_hit["url"] is None
    assert pdf_hit["title"] == makefiles.SIMPLIFIED["title"]
    top = docx_row["passages"][0]
    assert top["doc"] == "museum.docx" and top["section"] == "開放參觀" and top["page"] is None
    assert docx_row["script"] == "traditional" and "一九九五" in docx_row["answer"]["sentence"]
    assert corpus_row["passages"][0]["doc"].startswith("003_")
    shown = docbot("ask", "初心堂累计开展了多少场活动？", cwd=tmp_path).stdout
    assert "第" in shown and "页 ¶" in shown
    again = docbot("index", cwd=tmp_path)
    assert "7 unchanged" in again.stderr and "0 removed" in again.stderr, again.stderr
    listing = docbot("docs", cwd=tmp_path).stdout
    assert "mine" in listing and "museum.docx" in listing and "7 documents" in listing
    removed = docbot("remove", "mine/report.pdf", "nothing-like-it", cwd=tmp_path)
    assert removed.returncode == 0 and "Removed 1 document;" in removed.stderr
    assert "nothing-like-it: not in the index" in removed.stderr
    assert "6 unchanged" in docbot("index", cwd=tmp_path).stderr
    rows = [json.loads(x) for x in docbot("docs", "--json", cwd=tmp_path).stdout.splitlines()]
    assert {r["name"] for r in rows} >= {"museum.docx"} and "report.pdf" not in {
        r["name"] for r in rows
    }


def test_index_says_when_nothing_asked_for_was_indexed(tmp_path: Path) -> None:
    """Exit status 1 when nothing of what was named could be indexed; a remembered file
    that is gone is named, and the rest is refreshed (status 0)."""
    shutil.copytree(CORPUS, tmp_path / "corpus")
    assert docbot("index", cwd=tmp_path).returncode == 0
    (tmp_path / "empty").mkdir()
    empty = docbot("index", "empty", cwd=tmp_path)
    assert empty.returncode == 1 and "Indexed 5 documents" in empty.stderr
    refused = docbot("index", "http://127.0.0.1:9/page.html", cwd=tmp_path)
    assert refused.returncode == 1 and "cannot be fetched" in refused.stderr
    solo = tmp_path / "solo.txt"
    solo.write_text("独有的标题行在这里\n\n红树林保护区新建服务站三个。\n", encoding="utf-8")
    assert docbot("index", "solo.txt", cwd=tmp_path).returncode == 0
    solo.unlink()
    again = docbot("index", cwd=tmp_path)
    assert again.returncode == 0 and "Skipped solo.txt: No such file" in again.stderr
    assert "Traceback" not in empty.stderr + refused.stderr + again.stderr

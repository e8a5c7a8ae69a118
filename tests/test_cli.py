"""The `kb` command as users and later issues call it: a real process, real files."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kb.cli import DEFAULT_DICT

HIT_KEYS = {
    "doc_id",
    "path",
    "title",
    "doc_type",
    "date",
    "issuer",
    "doc_no",
    "section",
    "text",
    "snippet",
    "score",
    "also_in",
    "ocr",  # read by OCR: a character may be misread
}


def kb(*args: str, stdin: str | None = None, env: dict | None = None, cwd: Path | None = None):
    script = Path(sys.executable).with_name("kb.exe" if os.name == "nt" else "kb")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kb.cli"]
    return subprocess.run(
        command + list(args),
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=120,
    )


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(
        "关于整治会议过多的通知\n\n青岚委办发〔2024〕9号\n\n严禁以会议落实会议。\n",
        encoding="utf-8",
    )
    (folder / "sub" / "b.md").write_text(
        "公务用车管理\n\n严禁公车私用，违者严肃处理。\n", encoding="utf-8"
    )
    (folder / "gbk.txt").write_bytes("县里的通知\n\n请按时报送材料。\n".encode("gb18030"))
    (folder / "bad.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "empty.txt").write_text("   \n", encoding="utf-8")
    (folder / "scan.pdf").write_bytes(b"%PDF-1.4 not really")
    return folder


def test_index_reports_added_and_failed_with_reasons(docs, tmp_path):
    result = kb("index", str(docs), "--index", str(tmp_path / "idx"))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("新增 3，更新 0，删除 0，未变 0，失败 3")
    assert "新增：" in out and "a.txt" in out and "b.md" in out and "gbk.txt" in out
    assert "bad.txt：无法识别文件编码" in out
    assert "empty.txt：文件为空" in out
    assert "scan.pdf：PDF 文件已损坏" in out
    assert "已处理" in result.stderr  # progress goes to stderr
    assert (tmp_path / "idx" / "jieba.cache").is_file()


def test_rerun_applies_only_what_changed(docs, tmp_path):
    index = str(tmp_path / "idx")
    kb("index", str(docs), "--index", index)
    assert kb("index", str(docs), "--index", index).stdout.startswith(
        "新增 0，更新 0，删除 0，未变 3，失败 3"
    )

    (docs / "a.txt").write_text("关于整治会议过多的通知\n\n严禁文山会海。\n", encoding="utf-8")
    (docs / "sub" / "b.md").unlink()
    (docs / "c.txt").write_text("新文件\n\n为基层减负。\n", encoding="utf-8")
    out = kb("index", str(docs), "--index", index).stdout
    assert out.startswith("新增 1，更新 1，删除 1，未变 1，失败 3")

    found = json.loads(kb("search", '"文山会海"', "--index", index, "--json").stdout)
    assert found["total"] == 1
    gone = json.loads(kb("search", '"公车私用"', "--index", index, "--json").stdout)
    assert gone["total"] == 0


def test_a_changed_file_that_cannot_be_read_keeps_its_indexed_text(docs, tmp_path):
    index = str(tmp_path / "idx")
    kb("index", str(docs), "--index", index)
    (docs / "a.txt").write_bytes(bytes(range(256)) * 8)
    out = kb("index", str(docs), "--index", index).stdout
    assert "a.txt：无法识别文件编码" in out
    assert (
        json.loads(kb("search", '"以会议落实会议"', "--index", index, "--json").stdout)["total"]
        == 1
    )


def test_search_json_has_the_contract_shape(docs, tmp_path):
    index = str(tmp_path / "idx")
    kb("index", str(docs), "--index", index)
    result = json.loads(kb("search", "公车", "--index", index, "--json").stdout)
    # The contract's keys, then notes for the user (and "error" only when kb failed).
    assert set(result) == {"query", "total", "documents", "hits", "notes"}
    # The body passage, then the title (公务用车, a synonym) as a passage of its own.
    assert result["query"] == "公车" and result["total"] == 2
    hit, title = result["hits"]
    assert title["text"] == "公务用车管理"
    assert set(hit) == HIT_KEYS | {"matched"}
    assert hit["matched"]["words"] == ["公车"] and hit["matched"]["missing"] == []
    assert hit["path"] == str(docs / "sub" / "b.md")
    assert hit["section"] == [] and hit["date"] == ""
    assert "<mark>公车</mark>" in hit["snippet"]
    assert isinstance(hit["score"], float)
    assert hit["also_in"] == [] and hit["ocr"] is False


def test_batch_mode_answers_each_line_in_order(docs, tmp_path):
    index = str(tmp_path / "idx")
    kb("index", str(docs), "--index", index)
    queries = ["公车", "青岚委办发[2024]9号", "", "不存在的词语组合"]
    result = kb("search", "-", "--index", index, stdin="\n".join(queries) + "\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["query"] for line in lines] == queries
    assert lines[1]["hits"][0]["doc_no"] == "青岚委办发〔2024〕9号"
    assert lines[2]["total"] == 0 and lines[3]["total"] == 0


def test_index_location_defaults(docs, tmp_path):
    env_index = tmp_path / "from-env"
    assert kb("index", str(docs), env={"KB_INDEX": str(env_index)}).returncode == 0
    assert (env_index / "CURRENT").is_file()
    env = {k: v for k, v in os.environ.items() if k != "KB_INDEX"}
    result = subprocess.run(
        [sys.executable, "-m", "kb.cli", "index", str(docs)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
    )
    assert result.returncode == 0
    assert (tmp_path / ".kb" / "index" / "CURRENT").is_file()


def test_missing_index_is_a_clear_message_not_a_traceback(tmp_path):
    result = kb("search", "四风", "--index", str(tmp_path / "nothing"))
    assert result.returncode == 2
    assert "请先运行 kb index" in result.stderr
    assert "Traceback" not in result.stderr


def test_changing_the_user_dictionary_rebuilds_the_index(docs, tmp_path):
    dictionary = tmp_path / "dict"
    shutil.copytree(DEFAULT_DICT, dictionary)
    index = str(tmp_path / "idx")
    kb("index", str(docs), "--index", index, "--dict", str(dictionary))
    with (dictionary / "userdict.txt").open("a", encoding="utf-8") as f:
        f.write("\n以会议落实会议\n")
    out = kb("index", str(docs), "--index", index, "--dict", str(dictionary)).stdout
    assert "（已重建索引）" in out and out.startswith("新增 3")


def test_a_bad_line_in_any_rule_file_is_named_not_a_traceback(docs, tmp_path):
    for name, line in (
        ("case_taxonomy.txt", "\n[干部层级的说法]\n这一行没有冒号\n"),
        ("topics.txt", "\n[没有这个段]\n"),
    ):
        dictionary = tmp_path / name
        shutil.copytree(DEFAULT_DICT, dictionary)
        with (dictionary / name).open("a", encoding="utf-8") as f:
            f.write(line)
        result = kb("index", str(docs), "--index", str(tmp_path / "idx"), "--dict", str(dictionary))
        assert result.returncode == 2, (name, result.stderr)
        assert result.stderr.startswith("词典有误：") and "Traceback" not in result.stderr


def test_human_output_marks_matches(docs, tmp_path):
    index = str(tmp_path / "idx")
    kb("index", str(docs), "--index", index)
    out = kb("search", "公车", "--index", index).stdout
    assert out.startswith("共 2 条段落，来自 1 篇文件")
    assert "【公车】" in out and "《公务用车管理》" in out


def test_bad_arguments_are_refused_politely(tmp_path):
    result = kb("search", "四风", "--limit", "-1", "--index", str(tmp_path))
    assert result.returncode == 2 and "不能为负数" in result.stderr


# --- interactive search: paging (issue 16 item 7) ------------------------------------------


def interactive(monkeypatch, capsys, index: str, lines: list[str], *options: str):
    """``kb search`` at a terminal, the user typing ``lines``: (stdout, stderr)."""
    from kb import cli

    typed = iter(lines)

    def answer(prompt: str = "") -> str:
        try:
            return next(typed)
        except StopIteration:
            raise EOFError from None

    monkeypatch.setattr("builtins.input", answer)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
    assert cli.main(["search", "--index", index, *options]) == 0
    captured = capsys.readouterr()
    return captured.out, captured.err


def numbered(out: str) -> list[int]:
    """The hit numbers printed, in order."""
    return [int(n) for n in re.findall(r"^(\d+)\. 《", out, re.M)]


def test_interactive_search_pages_past_ten(corpus_index, monkeypatch, capsys):
    from kb.engines.whoosh.searcher import Searcher

    total = Searcher(corpus_index).search("整改").total
    assert total > 30
    last = -(-total // 10)
    out, err = interactive(
        monkeypatch, capsys, str(corpus_index), ["整改", "n", "n", "p", f"g {last}", "n", ""]
    )
    assert "n 下一页" in err and "p 上一页" in err and "g 页码" in err  # the help says how
    assert numbered(out) == [
        *range(1, 11),
        *range(11, 21),
        *range(21, 31),
        *range(11, 21),
        *range((last - 1) * 10 + 1, total + 1),
    ]
    assert f"第 2/{last} 页" in out and f"第 {last}/{last} 页" in out
    assert f"已是最后一页（共 {last} 页）。" in err
    assert out.count(f"共 {total} 条段落，来自 ") == 5


def test_interactive_paging_before_a_search_and_out_of_range(corpus_index, monkeypatch, capsys):
    out, err = interactive(
        monkeypatch, capsys, str(corpus_index), ["n", "整改", "p", "g 999", "?", ""], "--limit", "5"
    )
    assert "还没有检索：先输入检索词，再用 n、p 翻页。" in err
    assert "已是第一页" in err and "没有第 999 页" in err
    assert numbered(out) == [1, 2, 3, 4, 5]
    assert err.count("翻页：n 下一页") == 2  # once at the start, once for ?


@pytest.mark.skipif(os.name != "posix", reason="a pseudo-terminal is POSIX")
def test_interactive_paging_at_a_real_terminal(corpus_index):
    """The same at a pseudo-terminal, a real kb process: the user types, kb pages."""
    import pty
    import select

    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kb", "search", "--index", str(corpus_index), "--limit", "4"],
        stdin=terminal, stdout=terminal, stderr=terminal, close_fds=True,
    )  # fmt: skip
    os.close(terminal)
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        while marker not in seen:
            ready, _, _ = select.select([controller], [], [], 60)
            assert ready, seen.decode("utf-8", "replace")[-500:]
            seen += os.read(controller, 65536)

    try:
        read_until("检索> ".encode())
        os.write(controller, "整改\n".encode())
        read_until("第 1/".encode())
        os.write(controller, b"n\n")
        read_until("第 2/".encode())
        os.write(controller, b"\n")
        assert process.wait(timeout=60) == 0
    finally:
        process.kill()
        os.close(controller)
    text = seen.decode("utf-8", "replace").replace("\r\n", "\n")  # the terminal's line ends
    assert "\n4. 《" in text and "\n5. 《" in text and "\n8. 《" in text and "\n9. 《" not in text

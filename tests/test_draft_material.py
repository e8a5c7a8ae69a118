"""The 对照检查材料 in the shape such materials take (issue 16 item 1), read back from the
.docx with python-docx: the byline, the four parts and their order, every heading numbered 一、
（一） 1. （1） at its depth, problems grouped by topic, citations 《标题》（发文字号，日期）, the
optional 典型案例警示 without a gap, the 原因剖析 parts as data, 单位 as the file's author; then
the same through the web form, the print page numbered as the Word file, and bad input."""

from __future__ import annotations

import io
import json
import re
from html import unescape
from pathlib import Path

import pytest
from docx import Document as WordDocument
from docx.oxml.ns import qn

from kb.numbering import heading_level
from kb.workbench import CAUSES_FILE, CausePart, load_causes, parse_causes
from tests.test_workbench import api, token
from web.exports.draft_docx import (
    BLANK,
    DraftCase,
    DraftItem,
    DraftWords,
    build_draft_docx,
    in_groups,
)

CITED = re.compile(r"^——《[^》]+》（[^（）]*?(?:，)?\d{4}年\d{1,2}月\d{1,2}日）")
SECTIONS = ["一、查摆出的突出问题", "二、问题产生的原因剖析", "三、整改措施和努力方向"]
CASES_SECTION = "四、典型案例警示"


def _item(text: str, topics: list[str], **own: str) -> DraftItem:
    return DraftItem(
        text=text,
        citation="《关于进一步精简会议文件的通知》（某办发〔2024〕3号，2024年3月1日）",
        topics=topics,
        **own,
    )


ITEMS = [
    _item(
        "要严格控制会议数量。\n会议时长一般不超过1小时。",
        ["为基层减负", "形式主义官僚主义"],
        gap="会前准备不够充分。有的会议可开可不开",
        example="1. 一季度召开会议12次\n二是有3次会议超时",
        measure="严控会议",
    ),
    _item("不得违规收受礼品礼金。", ["八项规定"], gap="对收受土特产认识不足"),
    _item("要加强理论学习。", [], gap="学习不够系统。"),
    _item("严禁层层加码。", ["形式主义官僚主义"], group="为基层减负", example="层层加码"),
]
CASE = DraftCase(
    "某某违规吃喝问题",
    "某局，副局长，张某",
    ["违规吃喝"],
    ["党内警告"],
    "经查……",
    "《关于几起违反中央八项规定精神典型问题的通报》（某纪发〔2024〕5号，2024年5月1日）",
)
WORDS = DraftWords(
    unit="某市某局机关党委",
    person="办公室主任\u3000张某某",
    causes=[("理想信念", "理论学习不深入\n政治定力不够"), ("宗旨意识", ""), ("纪律规矩", "x")],
    direction="坚持学以致用。",
)


def _read(data: bytes):
    return WordDocument(io.BytesIO(data))


def _headings(document) -> list[tuple[int, str]]:
    """(outline level, text) of every heading: the paragraphs marked for Word's navigation."""
    found = []
    for paragraph in document.paragraphs:
        level = paragraph._p.pPr.find(qn("w:outlineLvl")) if paragraph._p.pPr is not None else None
        if level is not None:
            found.append((int(level.get(qn("w:val"))) + 1, paragraph.text))
    return found


def _texts(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_parts_in_order_each_heading_numbered_at_its_depth():
    document = _read(build_draft_docx("对照检查材料", ITEMS, [CASE], (), WORDS))
    assert _headings(document) == [
        (1, "一、查摆出的突出问题"),
        (2, "（一）为基层减负方面"),
        (3, "1.会前准备不够充分。"),
        (3, "2.________"),  # put under 为基层减负 by hand; no words: a line to write on
        (2, "（二）八项规定方面"),
        (3, "1.对收受土特产认识不足"),
        (2, "（三）其他方面"),  # a requirement without topics, listed last
        (3, "1.学习不够系统。"),
        (1, "二、问题产生的原因剖析"),
        (2, "（一）理想信念方面"),
        (2, "（二）宗旨意识方面"),
        (2, "（三）纪律规矩方面"),
        (1, "三、整改措施和努力方向"),
        (2, "（一）整改措施"),
        (2, "（二）努力方向"),
        (1, "四、典型案例警示"),
        (2, "（一）某某违规吃喝问题"),
    ]
    # The heading's number is the one its depth writes (kb.numbering reads it back the same).
    for level, text in _headings(document):
        assert heading_level(text) == level, text
    # Fonts by level: 黑体 一、, 楷体 （一）, 仿宋 bold 1.
    fonts = {1: ("黑体", False), 2: ("楷体_GB2312", False), 3: ("仿宋_GB2312", True)}
    for paragraph in document.paragraphs:
        level = heading_level(paragraph.text)
        if level in fonts and paragraph.paragraph_format.keep_with_next:
            run = paragraph.runs[0]
            font = run._element.rPr.rFonts.get(qn("w:eastAsia"))
            assert (font, bool(run.font.bold)) == fonts[level], paragraph.text


def test_each_problem_quotes_its_requirement_cited_then_the_persons_words():
    text = _texts(_read(build_draft_docx("对照检查材料", ITEMS, [], (), WORDS)))
    start = text.index("1.会前准备不够充分。")
    assert text[start + 1 : start + 9] == [
        "有的会议可开可不开",  # the rest of what the person wrote, after the headline
        "对照要求：要严格控制会议数量。",
        "会议时长一般不超过1小时。",
        "——《关于进一步精简会议文件的通知》（某办发〔2024〕3号，2024年3月1日）",
        "具体表现：",
        "（1）一季度召开会议12次",  # their own 1. and 二是 replaced by the outline's numbers
        "（2）有3次会议超时",
        "2.________",
    ]
    assert text[start + 9 : start + 12] == [
        "对照要求：严禁层层加码。",
        "——《关于进一步精简会议文件的通知》（某办发〔2024〕3号，2024年3月1日）",
        "具体表现：层层加码",  # one line: no （1）
    ]
    cites = [line for line in text if line.startswith("——")]
    assert len(cites) == len(ITEMS) and all(CITED.match(line) for line in cites)
    assert "具体表现：________" in text  # left empty: a line to write on


def test_causes_and_direction_are_the_persons_words_or_lines_to_write_on():
    text = _texts(_read(build_draft_docx("对照检查材料", ITEMS, [], (), WORDS)))
    part = text[text.index(SECTIONS[1]) + 1 : text.index(SECTIONS[2])]
    assert part == [
        "（一）理想信念方面",
        "理论学习不深入",
        "政治定力不够",
        "（二）宗旨意识方面",
        BLANK,
        "（三）纪律规矩方面",
        "x",
    ]
    assert text[text.index("（二）努力方向") + 1] == "坚持学以致用。"
    empty = _texts(_read(build_draft_docx("对照检查材料", ITEMS, [], ())))
    assert empty[empty.index("（二）努力方向") + 1] == BLANK
    assert empty[empty.index(SECTIONS[1]) + 1] == BLANK  # no parts listed: still a line


def test_cases_section_only_when_cases_are_chosen_and_numbers_stay_consecutive():
    without = _read(build_draft_docx("对照检查材料", ITEMS, [], (), WORDS))
    assert [t for level, t in _headings(without) if level == 1] == SECTIONS
    assert not any("典型案例" in line for line in _texts(without))
    cases = [CASE] * 11
    with_cases = _read(build_draft_docx("对照检查材料", ITEMS, cases, (), WORDS))
    assert [t for level, t in _headings(with_cases) if level == 1] == SECTIONS + [CASES_SECTION]
    text = _texts(with_cases)
    after = [t for level, t in _headings(with_cases) if level == 2][-11:]
    assert after[0] == "（一）某某违规吃喝问题" and after[10] == "（十一）某某违规吃喝问题"
    assert text[-4:] == [
        "当事人：某局，副局长，张某",
        "问题类别：违规吃喝",
        "处理结果：党内警告",
        "——" + CASE.citation,
    ]
    assert CITED.match(text[-1])


def test_an_opening_comes_before_the_first_part_only_when_written():
    words = DraftWords(opening="按照安排，本人认真查摆。\n\n现将有关情况报告如下。")
    text = _texts(_read(build_draft_docx("对照检查材料", ITEMS, [], (), words)))
    assert text[:5] == [
        "对照检查材料",
        "",
        "按照安排，本人认真查摆。",
        "现将有关情况报告如下。",
    ] + ["一、查摆出的突出问题"]
    assert _texts(_read(build_draft_docx("对照检查材料", ITEMS, [])))[2] == SECTIONS[0]


def test_byline_and_unit_as_the_files_author():
    document = _read(build_draft_docx("我的对照检查材料", ITEMS, [], ["另有 1 条要求…"], WORDS))
    assert _texts(document)[:4] == [
        "我的对照检查材料",
        "某市某局机关党委\u3000办公室主任\u3000张某某",
        "另有 1 条要求…",
        "",
    ]
    assert document.core_properties.author == "某市某局机关党委"
    assert document.core_properties.title == "我的对照检查材料"
    anonymous = _read(build_draft_docx("对照检查材料", ITEMS, []))
    assert _texts(anonymous)[:2] == ["对照检查材料", ""] and anonymous.core_properties.author == ""


def test_the_ledger_follows_the_problems_order_with_its_numbers():
    document = _read(build_draft_docx("对照检查材料", ITEMS, [], (), WORDS))
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == ["序号", "问题", "措施", "责任人", "完成时限", "销号情况"]
    assert [row[:2] for row in rows[1:]] == [
        ["1", "会前准备不够充分。有的会议可开可不开"],
        ["2", "严禁层层加码。"],  # listed under 为基层减负, second
        ["3", "对收受土特产认识不足"],
        ["4", "学习不够系统。"],
    ]
    assert rows[1][2] == "严控会议"
    # The table sits under （一）整改措施, before （二）努力方向.
    body = document.element.body
    order = [child.tag.rsplit("}", 1)[1] for child in body.iterchildren()]
    texts = ["".join(child.xpath("./w:r/w:t/text()")) for child in body.iterchildren()]
    table = order.index("tbl")
    assert texts[table - 1] == "（一）整改措施" and texts[table + 1] == "（二）努力方向"


def test_groups_keep_the_users_order_other_last():
    groups = in_groups([ITEMS[2], ITEMS[1], ITEMS[0], ITEMS[3]])
    assert [(topic, len(items)) for topic, items in groups] == [
        ("八项规定", 1),
        ("为基层减负", 2),
        ("其他", 1),
    ]


def test_numbering_goes_past_one_hundred_at_every_depth():
    many = [_item("要加强学习。", ["学习教育"], gap=f"问题{n}") for n in range(1, 111)]
    example = "\n".join(f"表现{n}" for n in range(1, 111))
    many[0].example = example
    document = _read(build_draft_docx("对照检查材料", many, [CASE] * 110, (), WORDS))
    text = _texts(document)
    assert "110.问题110" in text and "100.问题100" in text
    assert "（110）表现110" in text
    assert "（一百一十）某某违规吃喝问题" in text and "（一百）某某违规吃喝问题" in text


# --- the 原因剖析 parts are data an admin extends -------------------------------------------


def test_cause_parts_are_read_from_the_list():
    parts = parse_causes(
        "\ufeff# 注释\n\n理想信念: 提示一\n宗旨意识：提示二\n纪律规矩\n理想信念: 重复\n : 无名\n"
    )
    assert parts == [
        CausePart("理想信念", "提示一"),
        CausePart("宗旨意识", "提示二"),
        CausePart("纪律规矩", ""),
    ]
    shipped = [part.name for part in load_causes()]
    assert shipped[:4] == ["理想信念", "宗旨意识", "纪律规矩", "担当作为"]


def test_a_dictionaries_folder_may_bring_its_own_parts(tmp_path: Path):
    (tmp_path / CAUSES_FILE).write_text("作风建设: 提示\n", encoding="utf-8")
    assert load_causes(tmp_path) == [CausePart("作风建设", "提示")]
    assert load_causes(tmp_path / "nowhere") == load_causes()  # none there: the project's
    (tmp_path / CAUSES_FILE).write_text("# 全是注释\n", encoding="utf-8")
    assert load_causes(tmp_path) == load_causes()


# --- through the web form -------------------------------------------------------------------


def _form(client, items: list[dict], **fields: str) -> dict:
    return {"draft": json.dumps(items), "csrf_token": token(client), **fields}


def test_form_offers_unit_person_causes_direction_and_topics(client):
    html = client.get("/draft").get_data(as_text=True)
    for name in ("title", "unit", "person", "opening", "direction"):
        assert f'name="{name}"' in html, name
    for number, part in enumerate(load_causes(), 1):
        assert f'name="cause.{part.name}"' in html
        assert f"（{'一二三四五六七八九十'[number - 1]}）{part.name}方面" in html
    assert 'data-input="topic"' in html
    assert '<option value="八项规定">八项规定方面</option>' in html
    assert '<option value="其他">其他方面</option>' in html


@pytest.fixture(scope="module")
def three(client) -> list[dict]:
    items = api(client, "/api/requirements?limit=200")["items"]
    with_topics = [i for i in items if i["topics"]]
    return with_topics[:3] if len(with_topics) >= 3 else items[:3]


def test_export_carries_the_form_fields(client, three):
    parts = [part.name for part in load_causes()]
    items = [
        {"id": three[0]["id"], "gap": "问题甲", "topic": "其他"},
        {"id": three[1]["id"], "gap": "问题乙", "topic": "并无此话题"},
        {"id": three[2]["id"], "gap": "问题丙", "topic": ["八项规定"]},
    ]
    fields = {
        "unit": "某局\x00机关党委",
        "person": "张某某",
        "opening": "按照安排，本人认真查摆。\n现将有关情况报告如下。",
        f"cause.{parts[0]}": "理想信念上的剖析",
        "cause.不在清单里的部分": "不会导出",
        "direction": "今后的努力方向",
    }
    response = client.post("/draft/export.docx", data=_form(client, items, **fields))
    assert response.status_code == 200
    document = _read(response.data)
    text = _texts(document)
    assert text[1:6] == [
        "某局机关党委\u3000张某某",
        "",
        "按照安排，本人认真查摆。",  # the opening, before 一、
        "现将有关情况报告如下。",
        "一、查摆出的突出问题",
    ]
    assert document.core_properties.author == "某局机关党委"
    assert text[text.index(f"（一）{parts[0]}方面") + 1] == "理想信念上的剖析"
    assert text[text.index(f"（二）{parts[1]}方面") + 1] == BLANK
    assert "不会导出" not in "".join(text)
    assert text[text.index("（二）努力方向") + 1] == "今后的努力方向"
    # 其他 by hand is the last group; an unknown or malformed choice is the requirement's own.
    headings = [t for _, t in _headings(document)]
    groups = headings[1 : headings.index(SECTIONS[1])]
    groups = [t for t in groups if heading_level(t) == 2]
    assert groups[-1].endswith("其他方面")
    assert "并无此话题方面" not in "".join(groups)
    first_topic = f"{three[1]['topics'][0]}方面" if three[1]["topics"] else "其他方面"
    assert any(g.endswith(first_topic) for g in groups)
    # The spreadsheet of the same draft names the unit as its author too.
    sheet = client.post("/draft/export.xlsx", data=_form(client, items, **fields))
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(sheet.data)).properties.creator == "某局机关党委"


def test_print_page_numbers_exactly_as_the_word_file(client, three):
    cases = [c["id"] for c in api(client, f"/api/requirements/{three[0]['id']}/cases")["cases"]]
    items = [
        {"id": three[0]["id"], "gap": "问题甲。其余", "example": "一\n二", "cases": cases[:2]},
        {"id": three[1]["id"]},
        {"id": three[2]["id"], "topic": "其他"},
    ]
    form = _form(client, items, unit="某局", direction="方向")
    word = _read(client.post("/draft/export.docx", data=form).data)
    page = client.post("/draft/print", data=form).get_data(as_text=True)
    printed = [
        (int(level) - 1, unescape(text))
        for level, text in re.findall(r"<h([234])>([^<]*)</h\1>", page)
    ]
    assert printed == _headings(word)
    assert ("<p>（1）一</p>" in page) and ("<p>（2）二</p>" in page)
    assert '<p class="subtitle byline">某局</p>' in page
    cites = re.findall(r'<p class="cite">([^<]*)</p>', page)
    assert [unescape(c) for c in cites] == [t for t in _texts(word) if t.startswith("——")]
    assert page.count("<tr>") == 1 + len(items)  # header and one row a problem


def test_spreadsheet_rows_in_the_order_the_word_file_lists_the_problems(client, three):
    from openpyxl import load_workbook

    items = [
        {"id": three[0]["id"], "gap": "问题甲", "topic": "其他"},  # moved to the end
        {"id": three[1]["id"], "gap": "问题乙", "topic": "学习教育"},
        {"id": three[2]["id"], "gap": "问题丙", "topic": "八项规定"},
    ]
    word = _read(client.post("/draft/export.docx", data=_form(client, items)).data)
    table = [row.cells[1].text for row in word.tables[0].rows[1:]]
    assert table == ["问题乙", "问题丙", "问题甲"]
    data = client.post("/draft/export.xlsx", data=_form(client, items)).data
    for sheet in load_workbook(io.BytesIO(data)).worksheets:
        assert [row[2].value for row in sheet.iter_rows(min_row=3)] == table
        assert [row[0].value for row in sheet.iter_rows(min_row=3)] == [1, 2, 3]


# --- bad input: a valid document or a 400 with a Chinese message, never a 500 --------------


def test_a_thousand_items_is_a_message(client, three):
    items = [{"id": three[0]["id"]}] * 1000
    for url in ("/draft/export.docx", "/draft/print", "/draft/export.xlsx"):
        response = client.post(url, data=_form(client, items))
        assert response.status_code == 400, url
        assert "一次最多导出 100 条，现有 1000 条，请分批导出。" in response.get_data(as_text=True)


def test_long_empty_and_odd_fields_give_a_valid_document(client, three):
    parts = [part.name for part in load_causes()]
    long = "很长的剖析" * 5000
    items = [
        {
            "id": three[n % 3]["id"],
            "gap": "差\x01距" * 3000,
            "example": "\n".join(["表现\x0b"] * 5),
            "measure": long,
            "owner": "",
            "topic": {"x": 1} if n % 2 else None,
        }
        for n in range(100)
    ]
    fields = {
        "unit": "单" * 1000,
        "person": "\x0c张某",
        "direction": long,
        f"cause.{parts[0]}": long,
        f"cause.{parts[1]}": "   ",
        "title": "\x00",
    }
    response = client.post("/draft/export.docx", data=_form(client, items, **fields))
    assert response.status_code == 200
    document = _read(response.data)
    text = _texts(document)
    assert text[0] == "对照检查材料"  # a title of control characters only: the default
    assert text[1] == "单" * 200 + "\u3000张某"
    assert document.core_properties.author == "单" * 200
    cause = text[text.index(f"（一）{parts[0]}方面") + 1]
    assert cause == long[:4000]
    assert text[text.index(f"（二）{parts[1]}方面") + 1] == BLANK
    assert len([t for t in text if re.match(r"^（\d+）表现$", t)]) == 100 * 5
    page = client.post("/draft/print", data=_form(client, items, **fields))
    assert page.status_code == 200

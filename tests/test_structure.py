from kb.contents import table_of_contents
from kb.dates import find_date
from kb.docno import find_doc_nos, normalize_doc_no
from kb.doctypes import infer_doc_type
from kb.structure import read_outline, split_long

PLAN = """青岚区人民政府办公室关于印发《青岚区示范工作方案》的通知

青岚政办发〔2024〕7号

各街道办事处，区政府各部门：
现将方案印发给你们，请认真贯彻执行。
一、总体要求
坚持问题导向，突出重点。
（一）工作目标。到2025年底，基本建成长效机制。
目标要量化到每个单位。
（二）基本原则
1.坚持统筹推进
统筹兼顾各项任务。
二、保障措施
加强组织领导。
青岚区人民政府办公室
２０２４年３月１８日
"""


def test_heading_paths_follow_the_numbering():
    outline = read_outline(PLAN)
    sections = {p.text: p.section for p in outline.passages if not p.heading}
    assert sections["坚持问题导向，突出重点。"] == ("一、总体要求",)
    # A run-in heading: the paragraph is a passage and its lead sentence is the heading.
    assert sections["（一）工作目标。到2025年底，基本建成长效机制。"] == (
        "一、总体要求",
        "（一）工作目标",
    )
    assert sections["目标要量化到每个单位。"] == ("一、总体要求", "（一）工作目标")
    assert sections["统筹兼顾各项任务。"] == ("一、总体要求", "（二）基本原则", "1.坚持统筹推进")
    assert sections["加强组织领导。"] == ("二、保障措施",)


def test_headings_are_passages_standing_under_their_parents():
    headings = [(p.text, p.section) for p in read_outline(PLAN).passages if p.heading]
    assert headings == [
        ("青岚区人民政府办公室关于印发《青岚区示范工作方案》的通知", ()),  # the title
        ("一、总体要求", ()),
        ("（二）基本原则", ("一、总体要求",)),
        ("1.坚持统筹推进", ("一、总体要求", "（二）基本原则")),
        ("二、保障措施", ()),
    ]


def test_metadata_lines_are_read_and_not_passages():
    outline = read_outline(PLAN)
    assert outline.title == "青岚区人民政府办公室关于印发《青岚区示范工作方案》的通知"
    assert outline.doc_no == "青岚政办发〔2024〕7号"
    assert outline.date == "2024-03-18"
    assert outline.issuer == "青岚区人民政府办公室"
    assert outline.doc_type == "方案"  # a 通知 that prints a 方案 carries it
    texts = [p.text for p in outline.passages]
    assert "青岚政办发〔2024〕7号" not in texts
    assert "各街道办事处，区政府各部门：" not in texts
    assert "２０２４年３月１８日" not in texts


def test_articles_are_passages_under_their_chapter():
    outline = read_outline(
        "示范办法\n\n第一章 总则\n第一条 为了规范管理，制定本办法。\n第二条 本办法适用于全区。\n第二章 附则\n第三条 本办法自印发之日起施行。\n"
    )
    assert [(p.text[:3], p.section) for p in outline.passages if not p.heading] == [
        ("第一条", ("第一章 总则",)),
        ("第二条", ("第一章 总则",)),
        ("第三条", ("第二章 附则",)),
    ]
    assert outline.doc_type == "办法"


def test_speech_metadata():
    outline = read_outline(
        "在全区大会上的讲话\n\n区委书记　周明远\n（２０２４年２月２６日）\n\n同志们：\n今天召开大会。\n"
    )
    assert outline.speaker == "周明远"
    assert outline.date == "2024-02-26"
    assert outline.doc_type == "讲话"
    assert [p.text for p in outline.passages] == ["在全区大会上的讲话", "今天召开大会。"]


def test_long_paragraphs_split_at_sub_points_and_keep_every_character():
    sentence = "各单位要把问题列成清单，逐项明确责任人和完成时限，做到件件有着落。"
    paragraph = "总的要求是：" + sentence * 8 + "一是" + sentence * 6 + "二是" + sentence * 6
    chunks = split_long(paragraph)
    assert len(chunks) >= 3
    assert "".join(chunks) == paragraph
    assert any(c.startswith("一是") for c in chunks)
    assert any(c.startswith("二是") for c in chunks)
    assert all(len(c) <= 520 for c in chunks)


def test_dates_in_arabic_and_chinese_numerals():
    assert find_date("二〇二三年五月四日") == "2023-05-04"
    assert find_date("二〇二三年十二月二十一日") == "2023-12-21"
    assert find_date("2024年3月8日") == "2024-03-08"
    assert find_date("２０２４年１２月１６日") == "2024-12-16"
    assert find_date("2024年13月40日") == ""


def test_doc_types():
    assert infer_doc_type("关于5起违反中央八项规定精神典型问题的通报") == "通报"
    assert infer_doc_type("青岚区警示教育典型案例汇编（第一辑）") == "通报"
    assert infer_doc_type("关于持续为基层减负赋能的若干意见") == "意见"
    assert infer_doc_type("某某条例") == "条例"
    assert infer_doc_type("关于开好民主生活会的通知") == "通知"
    assert infer_doc_type("在全区大会上的讲话") == "讲话"
    assert infer_doc_type("无题") == "其他"


def test_doc_numbers_in_any_bracket_style():
    for written in (
        "国办发[2018]117号",
        "国办发（2018）117号",
        "国办发 〔2018〕 117 号",
        "国办发［2018］117号",
    ):
        assert normalize_doc_no(written) == "国办发〔2018〕117号", written
    assert normalize_doc_no("国令 第706号") == "国令第706号"
    assert normalize_doc_no("2024年3月") == ""


def test_doc_numbers_glued_to_words_offer_shorter_prefixes():
    (match,) = find_doc_nos("落实国发（2019）4号")
    assert match.forms[0] == "落实国发〔2019〕4号"
    assert "国发〔2019〕4号" in match.forms


def test_closing_part_of_a_notice_does_not_stand_under_the_last_case():
    outline = read_outline(
        "关于2起典型问题的通报\n\n"
        "1.甲镇干部张某违规吃喝问题。2023年张某多次公款吃喝，受到党内警告处分。\n"
        "2.乙局干部李某公车私用问题。2024年李某多次公车私用，受到诫勉处理。\n"
        "以上2起问题，教训深刻。\n"
        "一是严守纪律。各级干部要引以为戒。\n"
    )
    sections = [p.section for p in outline.passages[1:]]
    assert sections == [("1.甲镇干部张某违规吃喝问题",), ("2.乙局干部李某公车私用问题",), (), ()]


def test_speech_without_a_title_line_gets_one_from_its_content():
    outline = read_outline("同志们：\n一、提高认识，把握形势\n今年以来，全镇作风建设取得进展。\n")
    assert outline.title == "讲话：提高认识，把握形势"
    assert outline.doc_type == "讲话"
    assert outline.passages[0].text == "一、提高认识，把握形势"  # no invented title passage


def test_letterhead_is_the_issuer_and_the_title_follows_the_doc_number():
    outline = read_outline(
        "发展改革委办公厅 文件\n税务总局办公厅\n发改办财金规〔2019〕860号\n"
        "关于加强纳税信用建设的通知\n各有关单位：\n现将有关事项通知如下。\n"
    )
    assert outline.title == "关于加强纳税信用建设的通知"
    assert outline.issuer == "发展改革委办公厅 税务总局办公厅"
    assert outline.doc_no == "发改办财金规〔2019〕860号"
    assert outline.doc_type == "通知"


def test_title_printed_on_two_lines_is_joined():
    outline = read_outline(
        "中国共产党青岚区\n第十三届委员会第八次全体会议公报\n"
        "（2024年12月27日全体会议通过）\n全会听取和讨论了工作报告。\n"
    )
    assert outline.title == "中国共产党青岚区第十三届委员会第八次全体会议公报"
    assert outline.doc_type == "公报"
    assert outline.date == "2024-12-27"
    assert [p.text for p in outline.passages[1:]] == ["全会听取和讨论了工作报告。"]


def test_issuer_and_date_on_one_header_line():
    outline = read_outline(
        "常务会议纪要\n\n青岚区人民政府办公室　　　　２０２５年３月１４日\n会议研究了三项议题。\n"
    )
    assert outline.issuer == "青岚区人民政府办公室"
    assert outline.date == "2025-03-14"


def test_the_signing_date_is_the_one_before_the_attachment():
    outline = read_outline(
        "关于认真学习通报的通知\n\n请认真组织学习。\n中共青岚区教育局党组\n2024年9月13日\n"
        "附件\n关于典型问题的通报\n通报内容如下。\n中共青岚区纪委\n2024年9月10日\n"
    )
    assert outline.date == "2024-09-13"
    assert outline.issuer == "中共青岚区教育局党组"


def test_a_notice_carrying_another_document_takes_its_type():
    assert infer_doc_type("关于印发《示范工作方案》的通知") == "方案"
    assert infer_doc_type("关于转发市纪委关于3起典型问题的通报的通知") == "通报"
    assert infer_doc_type("关于认真学习《区纪委关于2起典型问题的通报》的通知") == "通报"
    assert infer_doc_type("关于学习贯彻全会精神的通知") == "通知"


# A speech whose numbered headings begin their paragraphs (run-in headings), in the three ways
# speeches number them: 一、, （一）, 第一，.
RUN_IN_SPEECH = """在全县作风建设动员大会上的讲话
同志们：
今天召开这次会议，主要是部署作风建设工作。下面，我讲三点意见。
一、广泛征求意见，深入查摆问题。找准病灶才能对症下药，各单位要走出机关、走进群众，把意见建议收集上来。
对收集到的意见，要逐条梳理，不回避、不遮掩。
二、坚持立行立改，务求整改实效。问题查出来了，关键在改。
（一）建立问题台账。每个问题都要明确责任人和完成时限。
（二）盯住群众反映强烈的问题。群众不满意的地方，就是整改的重点。
第一，先解决办事难的问题。窗口单位要把办事流程再压缩一遍。
第二，再解决会议多的问题。能合并的会议一律合并。
三、加强组织领导，压实工作责任。各级党组织书记要亲自抓、负总责。
"""


def contents_of(text: str) -> list[tuple[str, int]]:
    """(entry, depth) of the table of contents a document page shows for ``text``."""
    outline = read_outline(text)
    passages = [
        {"ordinal": i, "text": p.text, "section": list(p.section), "heading": p.heading}
        for i, p in enumerate(outline.passages)
    ]
    return [(entry.text, entry.depth) for entry in table_of_contents(passages)]


def test_run_in_headings_make_the_outline_and_the_paragraph_stays_whole():
    assert contents_of(RUN_IN_SPEECH) == [
        ("一、广泛征求意见，深入查摆问题", 0),
        ("二、坚持立行立改，务求整改实效", 0),
        ("（一）建立问题台账", 1),
        ("（二）盯住群众反映强烈的问题", 1),
        ("第一，先解决办事难的问题", 2),
        ("第二，再解决会议多的问题", 2),
        ("三、加强组织领导，压实工作责任", 0),
    ]
    sections = {p.text: p.section for p in read_outline(RUN_IN_SPEECH).passages}
    # The paragraph is one passage, heading included; the heading is its section.
    first = "一、广泛征求意见，深入查摆问题。找准病灶才能对症下药，各单位要走出机关、走进群众，把意见建议收集上来。"
    assert sections[first] == ("一、广泛征求意见，深入查摆问题",)
    assert sections["对收集到的意见，要逐条梳理，不回避、不遮掩。"] == (
        "一、广泛征求意见，深入查摆问题",
    )
    assert sections["第二，再解决会议多的问题。能合并的会议一律合并。"] == (
        "二、坚持立行立改，务求整改实效",
        "（二）盯住群众反映强烈的问题",
        "第二，再解决会议多的问题",
    )
    assert sections["三、加强组织领导，压实工作责任。各级党组织书记要亲自抓、负总责。"] == (
        "三、加强组织领导，压实工作责任",
    )


def test_headings_on_lines_of_their_own_keep_their_place_in_the_outline():
    assert contents_of(PLAN) == [
        ("一、总体要求", 0),
        ("（一）工作目标", 1),
        ("（二）基本原则", 1),
        ("1.坚持统筹推进", 2),
        ("二、保障措施", 0),
    ]


def test_a_spoken_first_without_a_full_stop_soon_is_no_heading():
    text = "关于某事的讲话\n第一，我们这些年在基层调研时发现，不少干部反映会议太多、材料太多、检查太多、报表太多，一年到头疲于应付，这个问题必须引起我们高度重视。\n"
    assert contents_of(text) == []


def test_a_spoken_point_is_shown_as_a_section_but_weighs_in_ranking_as_text():
    from kb.passage_table import context_of

    passage = next(p for p in read_outline(RUN_IN_SPEECH).passages if p.text.startswith("第二，"))
    context = context_of({"title": "动员讲话", "section": list(passage.section)})
    assert "盯住群众反映强烈的问题" in context  # （二） weighs as a heading
    assert "会议多" not in context  # 第二， does not: the judged ranking stays as it was


def test_speech_without_a_title_line_is_named_after_the_meeting_it_opens():
    untitled = RUN_IN_SPEECH.replace(
        "今天召开这次会议，主要是部署作风建设工作。",
        "今天，县委召开全县作风建设动员大会，主要是部署作风建设工作。",
    ).split("\n", 1)[1]
    outline = read_outline(untitled)
    assert outline.title == "在全县作风建设动员大会上的讲话"
    assert outline.doc_type == "讲话"


def test_speech_whose_title_runs_into_its_first_paragraph_gets_that_title():
    # Text from a database row without paragraph breaks: title, date, name and body in one line.
    row = (
        "县委书记张明同志在全县作风建设动员大会上的讲话（2024年3月5日）同志们：今天召开这次会议，"
        "主要是部署作风建设工作。作风问题关系人心向背，我们必须以钉钉子精神抓下去，"
        "一抓到底、久久为功，让群众看到实实在在的变化，这是县委的明确要求，也是全县干部的共同责任。"
    )
    assert read_outline(row).title == "县委书记张明同志在全县作风建设动员大会上的讲话"
    assert read_outline(row[8:]).title == "在全县作风建设动员大会上的讲话"


def test_an_untitled_speech_is_never_named_by_a_heading_cut_mid_sentence():
    untitled = RUN_IN_SPEECH.split("\n", 1)[1]  # 同志们： and no meeting named
    outline = read_outline(untitled)
    assert outline.title == "讲话：广泛征求意见，深入查摆问题"
    assert outline.doc_type == "讲话"


def test_a_speech_quoting_another_speech_is_not_named_after_it():
    text = (
        "同志们：\n今天，我们召开全镇干部大会，传达学习习近平总书记在二十届中央纪委三次全会上的重要讲话精神。\n"
        "一、提高认识，把握形势\n今年以来，全镇作风建设取得进展。\n"
    )
    assert read_outline(text).title == "在全镇干部大会上的讲话"


def test_a_speech_greeting_friends_too_is_a_speech_and_not_titled_by_its_greeting():
    text = "同志们，朋友们：\n今天，我们召开全县乡村振兴推进会，总结去年工作，部署今年任务。\n"
    assert read_outline(text).title == "在全县乡村振兴推进会上的讲话"
    text = "同志们，朋友们：\n三年前的今天，全县上下开始了这项工作。\n"
    assert read_outline(text).title == "讲话：三年前的今天，全县上下开始了这项工作"

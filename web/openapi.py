"""The OpenAPI 3.1 description of /api, served at /api/openapi.json."""

from __future__ import annotations

from typing import Any

from kb.doctypes import default_doc_types
from kb.results import CASE_KEYS

_STRING = {"type": "string"}
_STRINGS = {"type": "array", "items": _STRING}
# The web never shows where the server keeps its files (web.paths); `kb search --json` does.
_PATH = {
    "type": "string",
    "description": (
        "来源文件：相对于本服务的文档文件夹的路径（如 纪检/通报.txt）；"
        "不在该文件夹中的文件只给文件名"
    ),
}
_COPY = {
    "type": "object",
    "properties": {"doc_id": _STRING, "path": _PATH, "title": _STRING, "date": _STRING},
}

_HIT = {
    "type": "object",
    "required": [
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
        "matched",
        "ocr",
    ],
    "properties": {
        "doc_id": _STRING,
        "path": _PATH,
        "title": _STRING,
        "doc_type": {
            "type": "string",
            "description": "、".join(default_doc_types().all),
        },
        "date": {"type": "string", "description": "YYYY-MM-DD 或空串"},
        "issuer": _STRING,
        "doc_no": {"type": "string", "description": "规范化的发文字号，如 国办发〔2018〕117号"},
        "section": {"type": "array", "items": _STRING, "description": "所在各级标题，由外到内"},
        "text": {"type": "string", "description": "段落全文"},
        "snippet": {"type": "string", "description": "HTML 摘要，匹配处用 <mark> 标出"},
        "score": {"type": "number"},
        "also_in": {
            "type": "array",
            "description": "转发了同一段文字的其他文件",
            "items": _COPY,
        },
        "matched": {
            "type": "object",
            "description": "这一段为什么被找到",
            "required": ["words", "expansions", "phrases", "missing"],
            "properties": {
                "words": {"type": "array", "items": _STRING, "description": "直接匹配的检索词"},
                "expansions": {
                    "type": "array",
                    "description": "由检索词扩展出的公文用语（如 宴请 ← 请吃饭）或案例卡片上的层级、年份、处分",
                    "items": {
                        "type": "object",
                        "properties": {"word": _STRING, "for": _STRING},
                    },
                },
                "phrases": {"type": "array", "items": _STRING, "description": "精确短语"},
                "doc_no": {"type": "string", "description": "命中的发文字号（检索词中有时）"},
                "missing": {"type": "array", "items": _STRING, "description": "这一段不含的检索词"},
            },
        },
        "ocr": {
            "type": "boolean",
            "description": "所在文件由文字识别(OCR)读出，可能有错字",
        },
    },
}
# Messages about the query (cut, partly matched, nothing to find), and a failure inside kb.
_NOTES = {"type": "array", "items": _STRING, "description": "给用户的提示"}
_FAILED = {"type": "string", "description": "只在检索于系统内部出错时出现：中文说明，详情见日志"}

_CASE: dict[str, Any] = {
    "type": "object",
    "required": list(CASE_KEYS),  # kb.results owns the shape
    "properties": {
        "id": _STRING,
        "doc_id": _STRING,
        "path": _PATH,
        "title": {"type": "string", "description": "案例所在通报的标题"},
        "doc_no": {"type": "string", "description": "通报的发文字号"},
        "date": {"type": "string", "description": "通报的日期"},
        "summary": {"type": "string", "description": "案例标题句"},
        "person": _STRING,
        "position": _STRING,
        "unit": _STRING,
        "level": {"type": "string", "description": "中管干部、省管干部、县处级、乡科级、其他"},
        "problems": _STRINGS,
        "sanctions": _STRINGS,
        "years": {"type": "array", "items": {"type": "integer"}},
        "text": _STRING,
        "also_in": {"type": "array", "description": "转发了同一案例的其他文件", "items": _COPY},
    },
}

_SUGGESTED_CASE: dict[str, Any] = {
    **_CASE,
    "properties": {
        **_CASE["properties"],
        "score": {
            "type": "number",
            "description": "与要求的相近程度（0–1），按要求匹配时给出；收集夹段落的案例按检索顺序排列",
        },
    },
}

_REQUIREMENT_FIELDS = {
    "id": {
        "type": "string",
        "description": "条款编号（<doc_id>-r<n>）或收集夹段落（<doc_id>-p<n>）",
    },
    "doc_id": _STRING,
    "path": _PATH,
    "title": _STRING,
    "doc_no": _STRING,
    "date": _STRING,
    "doc_type": _STRING,
    "section": _STRINGS,
    "passage": {"type": "integer", "description": "所在段落的序号"},
    "text": {"type": "string", "description": "条款原文（逐字引自文件）"},
    "full_text": {"type": "string", "description": "条款所在段落全文"},
    "kind": {"type": "string", "description": "要求、禁止、条款、分项；收集夹段落为 段落"},
    "topics": _STRINGS,
    "also_in": {
        "type": "array",
        "description": "逐字载有同一条款的其他文件（如引用它的讲话、转发它的学习通知）；出处为原文件",
        "items": _COPY,
    },
    "citation": {"type": "string", "description": "引用出处：《标题》（发文字号，日期）及所在标题"},
    "link": {"type": "string", "description": "在本服务中打开这一段的地址"},
}
_REQUIREMENT = {
    "type": "object",
    "required": list(_REQUIREMENT_FIELDS),
    "properties": _REQUIREMENT_FIELDS,
}
# What the list can be narrowed by, with counts: topics, and the documents stating them.
_REQUIREMENT_FACETS = {
    "type": "object",
    "required": ["topic", "doc"],
    "properties": {
        "topic": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "count"],
                "properties": {"name": _STRING, "count": {"type": "integer"}},
            },
        },
        "doc": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["doc_id", "title", "count"],
                "properties": {"doc_id": _STRING, "title": _STRING, "count": {"type": "integer"}},
            },
        },
    },
}

_PASSAGE = {
    "type": "object",
    "required": ["ordinal", "text", "section", "heading", "meta", "place", "requirements"],
    "properties": {
        "ordinal": {"type": "integer"},
        "text": _STRING,
        "section": {"type": "array", "items": _STRING, "description": "所在各级标题，由外到内"},
        "heading": {"type": "boolean", "description": "是否为标题"},
        "meta": {"type": "boolean", "description": "是否为元数据行（发文字号、日期、落款等）"},
        "place": {"type": "integer", "description": "在原文中的位置（元数据行排在该段之前）"},
        "requirements": {"type": "array", "items": {"type": "object"}},
    },
}

_DOCUMENT = {
    "type": "object",
    "required": [
        "doc_id",
        "path",
        "title",
        "doc_type",
        "date",
        "issuer",
        "doc_no",
        "speaker",
        "passages",
        "ocr",
        "notes",
    ],
    "properties": {
        "doc_id": _STRING,
        "path": _PATH,
        "title": _STRING,
        "doc_type": _STRING,
        "date": _STRING,
        "issuer": _STRING,
        "doc_no": _STRING,
        "speaker": _STRING,
        "passages": {
            "type": "array",
            "description": "全部段落，passages[n] 的 ordinal 为 n；文件头尾的元数据行排在最后",
            "items": _PASSAGE,
        },
        "ocr": {"type": "boolean", "description": "文件由文字识别(OCR)读出，可能有错字"},
        "notes": {
            "type": "array",
            "items": _STRING,
            "description": "读取这个文件时的说明（如由文字识别读出、某页无法读取），没有时为空",
        },
    },
}

_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "integer"}, "message": _STRING},
        }
    },
}


def _query_param(name: str, description: str, schema: dict | None = None) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": schema or _STRING,
    }


SEARCH_PARAMS = [
    _query_param(
        "q", '检索词，语法同检索页：普通词、"精确短语"、-排除、type:/year:/issuer:、发文字号'
    ),
    _query_param("type", "按文种筛选，可重复", _STRINGS),
    _query_param("year", "按年份筛选（2024 或 2023-2025），可重复", _STRINGS),
    _query_param(
        "issuer",
        "按发文机关筛选（与分面中的值完全一致；包含即可时在 q 中写 issuer:），可重复",
        _STRINGS,
    ),
    _query_param(
        "sort", "relevance（默认）或 date", {"type": "string", "enum": ["relevance", "date"]}
    ),
    _query_param("page", "页码，从 1 开始", {"type": "integer", "minimum": 1, "maximum": 1000}),
    _query_param(
        "per_page", "每页条数（默认 10）", {"type": "integer", "minimum": 1, "maximum": 100}
    ),
]


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "政策与会议文件检索 API",
            "version": "1.0.0",
            "description": "与 kb search --json 相同的检索结果；所有文字为简体中文。",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "summary": "检索段落",
                    "parameters": SEARCH_PARAMS,
                    "responses": {
                        "200": {
                            "description": "检索结果",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": [
                                            "query",
                                            "total",
                                            "documents",
                                            "hits",
                                            "notes",
                                        ],
                                        "properties": {
                                            "query": _STRING,
                                            "total": {
                                                "type": "integer",
                                                "description": "找到的段落数",
                                            },
                                            "documents": {
                                                "type": "integer",
                                                "description": "这些段落来自多少篇文件"
                                                "（含转载副本；分面按篇计数）",
                                            },
                                            "hits": {"type": "array", "items": _HIT},
                                            "notes": _NOTES,
                                            "error": _FAILED,
                                        },
                                    }
                                }
                            },
                        },
                    },
                }
            },
            "/api/cases": {
                "get": {
                    "summary": "典型案例",
                    "parameters": [
                        _query_param("q", "在案例中检索的词"),
                        _query_param("problem", "问题类别，可重复", _STRINGS),
                        _query_param("sanction", "处理处分，可重复", _STRINGS),
                        _query_param("level", "干部层级，可重复", _STRINGS),
                        _query_param("year", "问题发生的年份，可重复", _STRINGS),
                        _query_param("page", "页码", {"type": "integer", "minimum": 1}),
                        _query_param(
                            "per_page",
                            "每页条数",
                            {"type": "integer", "minimum": 1, "maximum": 100},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "案例",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["total", "notes", "cases"],
                                        "properties": {
                                            "total": {"type": "integer"},
                                            "notes": _NOTES,
                                            "cases": {"type": "array", "items": _CASE},
                                            "error": _FAILED,
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/api/requirements": {
                "get": {
                    "summary": "要求条款（讲话、方案、规定中的要求、禁止、条款和分项）",
                    "parameters": [
                        _query_param("q", "在要求条款中检索的词"),
                        _query_param("topic", "话题，可重复（同时满足）", _STRINGS),
                        _query_param("doc", "只看某个文件（doc_id）"),
                        _query_param(
                            "limit", "条数", {"type": "integer", "minimum": 1, "maximum": 200}
                        ),
                        _query_param("offset", "跳过条数", {"type": "integer", "minimum": 0}),
                    ],
                    "responses": {
                        "200": {
                            "description": "要求条款",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["total", "items", "notes", "facets"],
                                        "properties": {
                                            "total": {"type": "integer"},
                                            "items": {"type": "array", "items": _REQUIREMENT},
                                            "notes": _NOTES,
                                            "facets": _REQUIREMENT_FACETS,
                                            "error": _FAILED,
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
            "/api/requirements/{id}": {
                "get": {
                    "summary": "一条要求条款",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": _STRING}
                    ],
                    "responses": {
                        "200": {
                            "description": "要求条款",
                            "content": {"application/json": {"schema": _REQUIREMENT}},
                        },
                        "404": {
                            "description": "没有这条要求",
                            "content": {"application/json": {"schema": _ERROR}},
                        },
                    },
                }
            },
            "/api/requirements/{id}/cases": {
                "get": {
                    "summary": "与一条要求相对照的典型案例，最相关的在前",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": _STRING},
                        _query_param(
                            "limit",
                            "条数（默认 5）",
                            {"type": "integer", "minimum": 1, "maximum": 20},
                        ),
                    ],
                    "responses": {
                        "200": {
                            "description": "要求及案例",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["requirement", "cases"],
                                        "properties": {
                                            "requirement": _REQUIREMENT,
                                            "cases": {"type": "array", "items": _SUGGESTED_CASE},
                                        },
                                    }
                                }
                            },
                        },
                        "404": {
                            "description": "没有这条要求",
                            "content": {"application/json": {"schema": _ERROR}},
                        },
                    },
                }
            },
            "/api/docs/{doc_id}": {
                "get": {
                    "summary": "整篇文件：元数据和全部段落",
                    "parameters": [
                        {"name": "doc_id", "in": "path", "required": True, "schema": _STRING}
                    ],
                    "responses": {
                        "200": {
                            "description": "文件",
                            "content": {"application/json": {"schema": _DOCUMENT}},
                        },
                        "404": {
                            "description": "没有这个文件",
                            "content": {"application/json": {"schema": _ERROR}},
                        },
                    },
                }
            },
        },
    }

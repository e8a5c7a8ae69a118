"""The admin corrects a document's metadata (/admin/meta): title, 文种, 成文日期, 发文机关,
讲话人, 发文字号, and who may see it (公开/内部/限定 with departments and people, kb.access),
saved as the document's side file ``<file>.json``, which the indexer applies at the next
update.

Why a side file and not the index: the index is rebuilt from the files (a new schema, new
dictionaries, another engine); a correction kept beside the file survives every rebuild, and
is the same file an admin may write by hand (README: 文件旁边可以放元数据). The file is named
by the listing's key, never by a path from the request (``uploads.find_entry``); values are
checked by ``kb.sidecar``, as the indexer checks them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from kb.access import LEVELS, split_names
from kb.dictionaries import DictionaryError, doc_types_of
from kb.doctypes import DocTypes, default_doc_types
from kb.filenames import doc_id_for, readable
from kb.sidecar import (
    ACCESS_KEYS,
    FIELDS,
    LABELS,
    own_side_file,
    read_json_side,
    revise,
    revise_visibility,
    write_side_file,
)
from web import uploads
from web.auth import login_required
from web.state import searcher, settings
from web.views.admin import job

log = logging.getLogger("kb.admin")

blueprint = Blueprint("doc_meta", __name__, url_prefix="/admin")


@dataclass
class MetaForm:
    """What the form shows for one document."""

    entry: uploads.CorpusEntry
    doc_id: str
    indexed: dict[str, str]  # the index's values; empty when the file is not indexed yet
    side: dict  # the JSON side file's object as it is
    side_name: str  # the side file the indexer reads now, or the one the form will write
    side_problem: str  # why the present side file cannot be used ("" when it can)
    values: dict[str, str] = field(default_factory=dict)  # shown in the inputs
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def visibility(self) -> dict[str, str]:
        """The side file's visibility as the form shows it ("" level: the folder's rule)."""
        return {
            "visibility": str(self.side.get("visibility") or ""),
            "departments": "、".join(split_names(self.side.get("departments"))),
            "people": "、".join(split_names(self.side.get("people"))),
        }

    @property
    def pending(self) -> bool:
        """The side file says something the index does not hold yet."""
        return any(
            str(self.side.get(key) or "").strip()
            and str(self.side.get(key)).strip() != self.indexed.get(key, "")
            for key in FIELDS
        )


def _doc_types() -> DocTypes:
    folder = settings().dictionaries
    try:
        return doc_types_of(folder) if folder is not None else default_doc_types()
    except DictionaryError:
        return default_doc_types()


def _indexed(doc_id: str) -> dict[str, str]:
    """The document's metadata as the live index has it, or {} (not indexed, no index)."""
    try:
        view = searcher().document(doc_id)
    except Exception:  # a missing or damaged index still lets the admin correct the file
        log.exception("cannot read document %s from the index", doc_id)
        return {}
    if view is None:
        return {}
    return {key: str(getattr(view, key, "") or "") for key in FIELDS}


def _form(key: str) -> MetaForm | None:
    """The form of the listed document with ``key``, or None when there is none such (a
    removed file, a link, a key that names nothing)."""
    corpus = settings().corpus
    entry = uploads.find_entry(corpus, key) if corpus is not None else None
    if entry is None or entry.kind != "file" or not entry.indexable:
        return None
    doc_id = doc_id_for(entry.path)
    present, side, problem = read_json_side(entry.path)
    indexed = _indexed(doc_id)
    values = {key: str(side.get(key) or "").strip() or indexed.get(key, "") for key in FIELDS}
    side_name = readable((present or own_side_file(entry.path)).name)
    return MetaForm(entry, doc_id, indexed, side, side_name, problem, values)


def _missing() -> ResponseReturnValue:
    flash("这个文件已不在文档文件夹中（可能已被移出或改名），请在文件列表中重新选择。", "error")
    return redirect(url_for("admin.files"), code=303)


def _page(form: MetaForm, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "admin_meta.html",
            form=form,
            fields=[(key, LABELS[key]) for key in LABELS],
            doc_types=_doc_types().all,
            levels=LEVELS,
        ),
        status,
    )


@blueprint.get("/meta")
@login_required
def edit() -> ResponseReturnValue:
    form = _form(request.args.get("key", ""))
    if form is None:
        return _missing()
    return _page(form)


@blueprint.post("/meta")
@login_required
def save() -> ResponseReturnValue:
    form = _form(request.form.get("key", ""))
    if form is None:
        return _missing()
    submitted = {key: request.form.get(key, "") for key in FIELDS}
    revised, errors = revise(form.side, form.indexed, submitted, _doc_types())
    revised, problem = revise_visibility(
        revised,
        request.form.get("visibility", ""),
        request.form.get("departments", ""),
        request.form.get("people", ""),
    )
    if problem:
        errors["visibility"] = problem
    if errors:
        chosen = {key: request.form.get(key, "") for key in ACCESS_KEYS}
        form.values, form.errors = {**submitted, **chosen}, errors
        return _page(form, 422)  # the form was sent whole; a value is wrong
    path: Path = form.entry.path
    changed = revised != form.side or form.side_problem
    if changed:
        try:
            write_side_file(path, revised)
        except OSError as error:
            log.error("cannot write the side file of %s: %s", form.entry.shown, error)
            form.values = submitted
            form.errors = {"": f"无法保存：{readable(error.strerror or str(error))}。"}
            return _page(form, 500)
        log.info("metadata of %s saved: %s", form.entry.shown, revised)
    if request.form.get("then") == "update":
        job().start(f"修改 {form.entry.shown} 的文件信息")
        flash(f"已保存“{form.entry.shown}”的文件信息，正在更新索引。", "info")
        return redirect(url_for("admin.dashboard") + "#progress", code=303)
    if changed:
        flash("已保存。修改在下次更新索引时生效。", "info")
    else:
        flash("没有改动，文件信息与原来相同。", "info")
    return redirect(url_for("doc_meta.edit", key=form.entry.key), code=303)

"""The admin area (/admin): log in, see the index state, upload documents, update the index,
remove documents, read the last index report.

Everything here changes files, so every view is behind ``login_required`` and every POST
carries a CSRF token (CSRFProtect, app-wide). Logins go through ``auth.LoginThrottle``.
Uploads are checked by content and saved only inside the corpus folder; removed entries are
moved to ``<instance>/removed``, never deleted, and named by a key from the listing, never by
a path from the request. Index updates run ``update_index`` in one background thread, one at
a time. Every name shown passes ``uploads.readable``: a GBK name must not break a page.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge

from kb.access import LEVELS
from kb.catalog import failures_by_file, listed_file
from kb.invocation import set_password_command
from kb.settings import Settings
from kb.sidecar import revise_visibility, write_side_file
from web import auth, uploads
from web.auth import login_required
from web.state import SETTINGS, searcher, settings

if TYPE_CHECKING:
    from indexer.store import Report

log = logging.getLogger("kb.admin")

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

REPORT_FILE = "last-report.json"
REMOVED_FOLDER = "removed"
MAX_LINES = 400


# --- the index update job ----------------------------------------------------------------


@dataclass
class JobState:
    state: str = "idle"  # idle | running | done | failed
    lines: deque = field(default_factory=lambda: deque(maxlen=MAX_LINES))
    started: float = 0.0
    finished: float = 0.0
    summary: str = ""
    pending: bool = False
    notice: str = ""  # told on every page while the run goes on (an upgrade's, say)


class IndexJob:
    """One background index update at a time; a request during a run queues one more run
    (so a file uploaded meanwhile is not missed), never a second concurrent writer."""

    def __init__(self, settings: Settings, run: Callable[..., Report] | None = None) -> None:
        # ``run`` does the update (indexer.update.update's signature); by default in a child
        # process, so the server never keeps an update's memory (indexer.isolated).
        self._run_update = run
        self.backend, self.corpus, self.dict_dir, self.instance = (
            settings.backend,
            settings.corpus,
            settings.dictionaries,
            settings.instance_dir,
        )
        self._lock = threading.Lock()
        self._state = JobState()
        self._thread: threading.Thread | None = None
        self._echo: Callable[[str], None] | None = None
        self._done = ""

    def start(
        self,
        reason: str,
        notice: str = "",
        echo: Callable[[str], None] | None = None,
        done: str = "",
    ) -> str:
        """'started', or 'queued' when a run is going on. ``notice`` is shown on every page
        until the run ends; ``echo`` also receives each progress line (``kb serve``'s
        terminal), and ``done`` heads the summary it receives at the end."""
        with self._lock:
            if self._state.state == "running":
                self._state.pending = True
                self._say(f"已排队：{reason}（当前更新完成后再更新一次）")
                return "queued"
            self._echo, self._done = echo, done
            self._state = JobState(state="running", started=time.time(), notice=notice)
            self._say(f"开始更新索引：{reason}")
            self._thread = threading.Thread(target=self._run, name="kb-admin-index", daemon=True)
            self._thread.start()
            return "started"

    def snapshot(self) -> dict:
        with self._lock:
            state = self._state
            return {
                "state": state.state,
                "lines": list(state.lines),
                "summary": state.summary,
                "started": _clock(state.started),
                "finished": _clock(state.finished),
            }

    def notice(self) -> str:
        """What every page should tell while this run goes on ("" when none)."""
        with self._lock:
            return self._state.notice if self._state.state == "running" else ""

    def _say(self, line: str) -> None:
        # readable(): a progress line may carry a file name the browser could not receive
        self._state.lines.append(f"{datetime.now():%H:%M:%S} {uploads.readable(line)}")
        if self._echo is not None:
            self._echo(line)

    def _progress(self, line: str) -> None:
        with self._lock:
            self._say(line)

    def _run(self) -> None:
        while True:
            try:
                ok, summary = self._update_once()
            except Exception:  # e.g. the report cannot be written: never stay "running"
                log.exception("index update job failed")
                ok, summary = False, "更新失败：出现意外错误，详情已记录在服务日志中。"
            with self._lock:
                if self._state.pending:
                    self._state.pending = False
                    self._say("开始排队中的更新")
                    continue
                self._state.state = "done" if ok else "failed"
                self._state.summary = summary
                self._state.finished = time.time()
                self._say(f"{self._done}：{summary}" if self._done and ok else summary)
                self._echo = None
                return

    def _update_once(self) -> tuple[bool, str]:
        from indexer.isolated import UpdateProcessFailed, update_in_child
        from indexer.store import IndexBusy
        from indexer.update import IndexWriteFailed
        from kb.dictionaries import DictionaryError
        from kb.view import EngineUnavailable

        if self.corpus is None or self.dict_dir is None:
            return False, "没有配置文件夹或词典目录，无法更新（用 kb serve 启动）。"
        if not self.corpus.is_dir():
            # Updating a missing folder would drop all its documents from the index.
            shown = uploads.readable(str(self.corpus))
            return False, f"更新失败：文档文件夹不存在或无法访问：{shown}"
        started = time.time()
        try:
            run = self._run_update or update_in_child
            report = run(self.backend, [self.corpus], self.dict_dir, progress=self._progress)
        except (IndexBusy, EngineUnavailable, IndexWriteFailed, UpdateProcessFailed) as error:
            return False, f"更新失败：{error}"
        except DictionaryError as error:
            return False, f"更新失败：词典有误：{error}"
        except Exception:
            log.exception("index update failed")
            return False, "更新失败：出现意外错误，详情已记录在服务日志中。"
        saved = save_report(self.instance, report, started)
        for label, items in (("新增", report.added), ("更新", report.updated)):
            for item in items:
                self._progress(f"{label}：{_shown(item, self.corpus)}")
        for item in report.removed:
            self._progress(f"删除：{_shown(item, self.corpus)}")
        for failure in report.failed:
            self._progress(f"失败：{_shown(failure.path, self.corpus)}：{failure.reason}")
        log.info("index updated: %s", saved["summary"])
        return True, "更新完成：" + saved["summary"]


def _clock(stamp: float) -> str:
    return datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M:%S") if stamp else ""


def _shown(path: str, corpus: Path | None) -> str:
    """A report path relative to the corpus folder where it lies there (shorter to read),
    always readable."""
    path = str(path)
    if corpus is not None:
        with contextlib.suppress(ValueError, OSError, RuntimeError):
            path = Path(path).resolve().relative_to(corpus.resolve()).as_posix()
    return uploads.readable(path)


def _clean(value):
    """``value`` with every string readable: JSON files and pages hold UTF-8 only."""
    if isinstance(value, str):
        return uploads.readable(value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def summary_line(report) -> str:
    return (
        f"新增 {len(report.added)}，更新 {len(report.updated)}，删除 {len(report.removed)}，"
        f"未变 {report.unchanged}，失败 {len(report.failed)}"
    )


def save_report(instance: Path, report, started: float) -> dict:
    """Persist the last report as JSON in the instance folder: the dashboard reads it back
    after a restart."""
    data = {
        "finished": _clock(time.time()),
        "seconds": round(time.time() - started, 1),
        "summary": summary_line(report),
        "added": list(report.added),
        "updated": list(report.updated),
        "removed": list(report.removed),
        "unchanged": report.unchanged,
        "failed": [asdict(failure) for failure in report.failed],
        "warnings": list(report.warnings),
        "rebuilt": report.rebuilt,
        "passages": report.passages,
    }
    data = _clean(data)
    auth.write_private(instance / REPORT_FILE, json.dumps(data, ensure_ascii=False, indent=1))
    return data


def load_report(instance: Path) -> dict | None:
    try:
        data = json.loads((instance / REPORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# --- wiring ------------------------------------------------------------------------------


def init_app(app: Flask) -> None:
    """Per app: the login throttle (in memory, so each app counts on its own), the upload
    limits and the index job."""
    app.extensions["kb.login_throttle"] = auth.LoginThrottle()
    app.config.setdefault("UPLOAD_MAX_FILES", uploads.MAX_FILES)
    app.config.setdefault("UPLOAD_MAX_FILE_BYTES", app.config.get("MAX_CONTENT_LENGTH"))
    index_job = app.extensions["kb.admin_job"] = IndexJob(app.extensions[SETTINGS])
    app.extensions["kb.digests"] = {}
    app.context_processor(lambda: {"index_notice": index_job.notice()})


@blueprint.app_context_processor
def _set_password_command() -> dict:
    """What the setup and login pages tell the admin to run: ``kb admin set-password`` as it
    works on this server (kb.invocation), for this app's instance folder."""
    return {"set_password_command": lambda: set_password_command(_instance())}


@blueprint.url_value_preprocessor
def _upload_limits(endpoint: str | None, values: dict | None) -> None:
    # Runs before any before_request (the CSRF check reads the form first): an upload is
    # parsed with a count of its files and a cap on each, so a refusal names its limit.
    if endpoint != "admin.upload":
        return
    max_files = int(current_app.config["UPLOAD_MAX_FILES"])
    request.form_data_parser_class = uploads.upload_parser(  # type: ignore[assignment]
        max_files, current_app.config.get("UPLOAD_MAX_FILE_BYTES")
    )
    # Werkzeug's own part count must not fire before ours (a few fields besides the files).
    request.max_form_parts = max_files + 20


@blueprint.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge):
    """413 with the limit that was hit: too many files, too many bytes, or (for forms no
    browser sends) too many or too long fields."""
    if isinstance(error, uploads.UploadTooLarge):
        message = error.description
    else:
        limit = request.max_content_length
        sent = request.content_length
        if limit is not None and (sent is None or sent > limit):
            message = uploads.too_many_bytes(sent, limit)
        else:
            message = (
                f"表单的字段太多（最多 {request.max_form_parts} 个）"
                f"或其中的文字太长（每个最多 {uploads.size_text(request.max_form_memory_size or 0)}）。"
            )
    log.warning("%s %s: 413 %s", request.method, request.path, message)
    return render_template("error.html", code=413, message=message), 413


def job() -> IndexJob:
    return current_app.extensions["kb.admin_job"]


def _instance() -> Path:
    return settings().instance_dir


def _corpus() -> Path | None:
    return settings().corpus


def _corpus_or_abort() -> Path:
    corpus = _corpus()
    if corpus is None or not corpus.is_dir():
        flash("没有配置文档文件夹（kb serve --corpus 目录），无法上传或移除。", "error")
        abort(redirect(url_for("admin.dashboard")))
    return corpus


def _digests(corpus: Path) -> dict[str, Path]:
    """Content hash -> file for every regular file of the corpus (never through a link);
    hashes are cached by size and mtime, so only new or changed files are read again."""
    cache: dict[Path, tuple[int, int, str]] = current_app.extensions["kb.digests"]
    found: dict[str, Path] = {}
    for path in uploads.corpus_files(corpus):
        try:
            stat = path.stat()
            cached = cache.get(path)
            if cached is None or cached[:2] != (stat.st_size, stat.st_mtime_ns):
                digest = uploads.content_digest(path.read_bytes())
                cache[path] = (stat.st_size, stat.st_mtime_ns, digest)
            found.setdefault(cache[path][2], path)
        except OSError:
            continue
    return found


def _index_counts() -> tuple[int, int]:
    """(documents, passages) of the live index."""
    return searcher().counts()


# --- views -------------------------------------------------------------------------------


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if not auth.has_password():
        if request.method == "POST":
            abort(403)
        return render_template("admin_setup.html"), 403
    target = auth.safe_next(request.values.get("next"))
    if request.method == "GET":
        if auth.logged_in():
            return auth.redirect_to(target)
        return render_template("admin_login.html", next=target)
    throttle: auth.LoginThrottle = current_app.extensions["kb.login_throttle"]
    device = auth.known_device()
    buckets, own = auth.login_buckets(device, request.remote_addr)
    wait = throttle.begin(buckets)  # counted before the check: parallel guesses wait too
    if wait:
        log.warning("admin login refused for %s s (%s)", round(wait), own)
        error = f"尝试次数太多，请 {auth.wait_text(wait)}后再试。"
        response = make_response(render_template("admin_login.html", next=target, error=error), 429)
        response.headers["Retry-After"] = str(max(int(-(-wait // 1)), 1))
        return response
    ok = False
    try:
        ok = auth.check_password(_instance(), request.form.get("password", ""))
    finally:
        throttle.finish(buckets, ok, clear=own)
    if ok:
        auth.log_in()
        log.info("admin login from %s", request.remote_addr)
        response = auth.redirect_to(target, code=303)
        auth.remember_device(response, device)
        return response
    log.warning("failed admin login from %s", request.remote_addr)
    return render_template("admin_login.html", next=target, error="密码不正确。"), 401


@blueprint.post("/logout")
def logout():
    if auth.log_out():
        flash("已退出管理（所有浏览器上的登录都已失效）。", "info")
    else:
        flash("已在本浏览器退出，但无法写入实例文件夹，其他浏览器上的登录没能失效。", "error")
    return redirect(url_for("admin.login"), code=303)


@blueprint.get("/")
@login_required
def dashboard():
    try:
        documents, passages = _index_counts()
    except Exception:  # a missing or damaged index still leaves the admin usable
        log.exception("cannot count the index")
        documents = passages = None
    corpus = _corpus()
    return render_template(
        "admin_dashboard.html",
        documents=documents,
        passages=passages,
        corpus=uploads.readable(str(corpus)) if corpus else None,
        corpus_files=sum(1 for _ in uploads.corpus_files(corpus)) if corpus else 0,
        index=settings().backend.describe(),
        job=job().snapshot(),
        report=load_report(_instance()),
        shown=lambda path: _shown(path, corpus),
    )


@blueprint.get("/progress")
@login_required
def progress():
    return jsonify(job().snapshot())


@blueprint.post("/update")
@login_required
def update():
    outcome = job().start("管理员手动更新")
    if outcome == "queued":
        flash("已有更新正在进行，完成后会再更新一次。", "info")
    return redirect(url_for("admin.dashboard") + "#progress", code=303)


@blueprint.get("/upload")
@login_required
def upload_form():
    return render_template("admin_upload.html", results=None, limits=_limits(), levels=LEVELS)


@dataclass
class UploadResult:
    name: str  # as sent
    saved_as: str = ""
    problem: str = ""
    duplicate_of: str = ""


@blueprint.post("/upload")
@login_required
def upload():
    corpus = _corpus_or_abort()
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        flash("请选择要上传的文件。", "error")
        return redirect(url_for("admin.upload_form"), code=303)
    # Who may see the new files (kb.access): checked before anything is saved, and written
    # as each file's side file right after it, so no update indexes it as 公开 meanwhile.
    visibility, problem = revise_visibility(
        {},
        request.form.get("visibility", ""),
        request.form.get("departments", ""),
        request.form.get("people", ""),
    )
    if problem:
        page = render_template(
            "admin_upload.html", results=[], limits=_limits(), levels=LEVELS, error=problem
        )
        return page, 400
    known = _digests(corpus)
    results: list[UploadResult] = []
    max_file = current_app.config.get("UPLOAD_MAX_FILE_BYTES")
    for storage in files:
        result = UploadResult(name=uploads.readable(storage.filename or ""))
        results.append(result)
        if getattr(storage.stream, "too_big", False):
            result.problem = uploads.file_too_big(max_file)
            continue
        data = storage.read()
        name = uploads.safe_filename(result.name)
        problem = uploads.check_content(name, data)
        if problem:
            result.problem = problem
            continue
        digest = uploads.content_digest(data)
        if digest in known:
            result.duplicate_of = uploads.readable(known[digest].relative_to(corpus).as_posix())
            continue
        try:
            saved = uploads.save_new(corpus, name, data)
        except (OSError, ValueError) as error:
            log.warning("upload of %r failed: %s", result.name, error)
            result.problem = "无法保存文件，请检查文件夹权限或磁盘空间。"
            continue
        if visibility:
            try:
                write_side_file(saved, visibility)
            except OSError as error:  # never left without the visibility it was sent with
                log.warning("side file of upload %s failed: %s", saved, error)
                saved.unlink(missing_ok=True)
                result.problem = "无法保存文件的可见范围，文件未保存；请检查文件夹权限或磁盘空间。"
                continue
        known[digest] = saved
        result.saved_as = saved.relative_to(corpus).as_posix()
        log.info("uploaded %s (%d bytes) from %s", saved, len(data), request.remote_addr)
    saved_any = any(r.saved_as for r in results)
    return render_template(
        "admin_upload.html", results=results, saved_any=saved_any, limits=_limits(), levels=LEVELS
    )


def _limits() -> dict:
    """The upload limits, for the page's text and admin.js's checks before sending."""
    config = current_app.config
    total = config.get("MAX_CONTENT_LENGTH")
    per_file = config.get("UPLOAD_MAX_FILE_BYTES")
    return {
        "files": int(config["UPLOAD_MAX_FILES"]),
        "bytes": total or 0,
        "file_bytes": per_file or 0,
        "bytes_text": uploads.size_text(total) if total else "",
        "file_bytes_text": uploads.size_text(per_file) if per_file else "",
    }


@blueprint.get("/files")
@login_required
def files():
    corpus = _corpus()
    scan = uploads.scan_corpus(corpus) if corpus is not None else uploads.CorpusScan()
    index_problem = ""
    try:
        catalog = searcher().catalog()
    except Exception:  # a missing or damaged index still lists the files, saying so
        log.exception("cannot list the index's documents")
        catalog = {}
        index_problem = "读不出索引中的文件信息（索引缺失或损坏？），下面只列出文件本身。"
    report = load_report(_instance()) or {}
    failures = failures_by_file(report.get("failed") or [])
    listed = [
        {
            "key": entry.key,
            "doc": listed_file(entry.path, entry.indexable, catalog, failures),
            "shown": entry.shown,
            "kind": entry.kind,
            "size": uploads.size_text(entry.size) if entry.size is not None else "—",
            "modified": _clock(entry.modified) if entry.modified is not None else "",
            "notes": entry.notes,
            "editable": entry.kind == "file" and entry.indexable,  # its metadata: doc_meta
        }
        for entry in scan.entries
    ]
    return render_template(
        "admin_files.html",
        corpus=uploads.readable(str(corpus)) if corpus else None,
        files=listed,
        indexable=sum(1 for entry in scan.entries if entry.indexable),
        states=Counter(item["doc"].label for item in listed),
        index_problem=index_problem,
        unreadable=scan.unreadable,
    )


@blueprint.post("/remove")
@login_required
def remove():
    corpus = _corpus_or_abort()
    key = request.form.get("key", "")
    entry = uploads.find_entry(corpus, key)
    if entry is None:
        log.warning("refused to remove %r", key[:200])
        abort(404)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = _instance() / REMOVED_FOLDER / stamp / entry.relative
    auth.ensure_private_folder(target.parent)
    try:
        uploads.move_out(entry.path, target)
        side = entry.path.with_name(entry.path.name + ".json")  # its metadata goes along
        if entry.kind == "file" and side.is_file() and not side.is_symlink():
            uploads.move_out(side, target.with_name(side.name))
    except OSError as error:
        log.error("cannot remove %s: %s", entry.shown, error)
        flash(
            f"无法移出“{entry.shown}”：{uploads.readable(error.strerror or str(error))}。", "error"
        )
        return redirect(url_for("admin.files"), code=303)
    log.info("removed %s to %s", entry.shown, uploads.readable(str(target)))
    job().start(f"移除 {entry.shown}")
    shown_folder = uploads.readable(str(target.parent))
    flash(f"已把“{entry.shown}”移到 {shown_folder}，正在更新索引。", "info")
    return redirect(url_for("admin.dashboard") + "#progress", code=303)


@blueprint.get("/report")
@login_required
def report():
    corpus = _corpus()
    return render_template(
        "admin_report.html",
        report=load_report(_instance()),
        shown=lambda path: _shown(path, corpus),
    )

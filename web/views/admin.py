"""The admin area (/admin): log in, see the index state, upload documents, update the index,
remove documents, read the last index report.

Everything here changes files, so every view is behind ``login_required`` and every POST
carries a CSRF token (CSRFProtect, app-wide). Uploads are checked by content and saved only
inside the corpus folder; removed documents are moved to ``<instance>/removed``, never
deleted. Index updates run ``update_index`` in one background thread, one at a time.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from kb.backend import Backend
from web import auth, uploads
from web.auth import login_required

log = logging.getLogger("kb.admin")

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

LOGIN_LIMIT = "5 per minute"
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


class IndexJob:
    """One background index update at a time; a request during a run queues one more run
    (so a file uploaded meanwhile is not missed), never a second concurrent writer."""

    def __init__(
        self, backend: Backend, corpus: Path | None, dict_dir: Path | None, instance: Path
    ) -> None:
        self.backend, self.corpus, self.dict_dir, self.instance = (
            backend,
            corpus,
            dict_dir,
            instance,
        )
        self._lock = threading.Lock()
        self._state = JobState()
        self._thread: threading.Thread | None = None

    def start(self, reason: str) -> str:
        """'started', or 'queued' when a run is going on."""
        with self._lock:
            if self._state.state == "running":
                self._state.pending = True
                self._say(f"已排队：{reason}（当前更新完成后再更新一次）")
                return "queued"
            self._state = JobState(state="running", started=time.time())
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

    def _say(self, line: str) -> None:
        self._state.lines.append(f"{datetime.now():%H:%M:%S} {line}")

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
                self._say(summary)
                return

    def _update_once(self) -> tuple[bool, str]:
        from indexer.store import IndexBusy
        from indexer.update import update
        from kb.dictionaries import DictionaryError
        from kb.view import EngineUnavailable

        if self.corpus is None or self.dict_dir is None:
            return False, "没有配置文件夹或词典目录，无法更新（用 kb serve 启动）。"
        if not self.corpus.is_dir():
            # Updating a missing folder would drop all its documents from the index.
            return False, f"更新失败：文档文件夹不存在或无法访问：{self.corpus}"
        started = time.time()
        try:
            report = update(self.backend, [self.corpus], self.dict_dir, progress=self._progress)
        except (IndexBusy, EngineUnavailable) as error:
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
    """A report path relative to the corpus folder where it lies there (shorter to read)."""
    if corpus is not None:
        try:
            return Path(path).resolve().relative_to(corpus.resolve()).as_posix()
        except (ValueError, OSError):
            pass
    return path


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
    """Per app: the login rate limiter (in memory, so each app counts on its own) and the job."""
    limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", default_limits=[])
    # Only failed attempts count, so a right password after a typo still gets in.
    # Wrapping the registered view (not decorating at import time) keeps the limiter per app.
    app.view_functions["admin.login"] = limiter.limit(
        LOGIN_LIMIT, methods=["POST"], deduct_when=lambda r: r.status_code == 401
    )(app.view_functions["admin.login"])
    corpus = app.config.get("CORPUS")
    dict_dir = app.config.get("DICT")
    app.extensions["kb.admin_job"] = IndexJob(
        app.config["BACKEND"],
        Path(corpus).resolve() if corpus else None,
        Path(dict_dir) if dict_dir else None,
        Path(app.config["INSTANCE"]),
    )
    app.extensions["kb.digests"] = {}


def job() -> IndexJob:
    return current_app.extensions["kb.admin_job"]


def _instance() -> Path:
    return Path(current_app.config["INSTANCE"])


def _corpus() -> Path | None:
    corpus = current_app.config.get("CORPUS")
    return Path(corpus).resolve() if corpus else None


def _corpus_or_abort() -> Path:
    corpus = _corpus()
    if corpus is None or not corpus.is_dir():
        flash("没有配置文档文件夹（kb serve --corpus 目录），无法上传或移除。", "error")
        abort(redirect(url_for("admin.dashboard")))
    return corpus


def _digests(corpus: Path) -> dict[str, Path]:
    """Content hash -> file for every file of the corpus; hashes are cached by size and mtime,
    so only new or changed files are read again."""
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
    from web.app import searcher

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
            return redirect(target)
        return render_template("admin_login.html", next=target)
    if auth.check_password(_instance(), request.form.get("password", "")):
        auth.log_in()
        log.info("admin login from %s", request.remote_addr)
        return redirect(target, code=303)
    log.warning("failed admin login from %s", request.remote_addr)
    return render_template("admin_login.html", next=target, error="密码不正确。"), 401


@blueprint.post("/logout")
def logout():
    auth.log_out()
    flash("已退出管理。", "info")
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
        corpus=corpus,
        corpus_files=sum(1 for _ in uploads.corpus_files(corpus)) if corpus else 0,
        index=current_app.config["BACKEND"].describe(),
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
    return render_template("admin_upload.html", results=None, max_mb=_max_mb())


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
    known = _digests(corpus)
    results: list[UploadResult] = []
    for storage in files:
        result = UploadResult(name=storage.filename or "")
        results.append(result)
        data = storage.read()
        name = uploads.safe_filename(result.name)
        problem = uploads.check_content(name, data)
        if problem:
            result.problem = problem
            continue
        digest = uploads.content_digest(data)
        if digest in known:
            result.duplicate_of = known[digest].relative_to(corpus).as_posix()
            continue
        try:
            saved = uploads.save_new(corpus, name, data)
        except (OSError, ValueError) as error:
            log.warning("upload of %r failed: %s", result.name, error)
            result.problem = "无法保存文件，请检查文件夹权限或磁盘空间。"
            continue
        known[digest] = saved
        result.saved_as = saved.relative_to(corpus).as_posix()
        log.info("uploaded %s (%d bytes) from %s", saved, len(data), request.remote_addr)
    saved_any = any(r.saved_as for r in results)
    return render_template(
        "admin_upload.html", results=results, saved_any=saved_any, max_mb=_max_mb()
    )


def _max_mb() -> int:
    return int((current_app.config.get("MAX_CONTENT_LENGTH") or 0) / (1024 * 1024))


@blueprint.get("/files")
@login_required
def files():
    corpus = _corpus()
    listed = []
    if corpus is not None:
        for path in uploads.corpus_files(corpus):
            with_stat = path.stat()
            listed.append(
                {
                    "path": path.relative_to(corpus).as_posix(),
                    "size": with_stat.st_size,
                    "modified": _clock(with_stat.st_mtime),
                }
            )
    return render_template("admin_files.html", corpus=corpus, files=listed)


@blueprint.post("/remove")
@login_required
def remove():
    corpus = _corpus_or_abort()
    relative = request.form.get("path", "")
    source = uploads.corpus_member(corpus, relative)
    if source is None or uploads.extension(source.name) not in uploads.EXPECTED:
        log.warning("refused to remove %r", relative)
        abort(404)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = _instance() / REMOVED_FOLDER / stamp / source.relative_to(corpus)
    auth.ensure_private_folder(target.parent)
    shutil.move(str(source), str(target))
    side = source.with_name(source.name + ".json")  # its metadata side file goes along
    if side.is_file():
        shutil.move(str(side), str(target.with_name(side.name)))
    log.info("removed %s to %s", source, target)
    job().start(f"移除 {relative}")
    flash(f"已把“{relative}”移到 {target.parent}，正在更新索引。", "info")
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

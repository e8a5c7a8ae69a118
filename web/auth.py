"""The admin password and login, kept in the instance folder (never in the repository).

The instance folder holds what belongs to one installation and must not be committed or
served: the password hash, the app's secret key, the last index report, removed documents.
Its default is ``<index folder>/../instance``. Files are written owner-only where the OS
supports permissions (POSIX); on Windows the folder inherits the user's profile ACLs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

PASSWORD_FILE = "admin-password"
SECRET_FILE = "secret-key"
MIN_PASSWORD = 8
SESSION_HOURS = 8
PROJECT_ROOT = Path(__file__).resolve().parents[1]


class InstanceError(ValueError):
    """The instance folder cannot be used; the message says why, in Chinese."""


def instance_folder(setting: str | os.PathLike | None, index: str | os.PathLike) -> Path:
    """The instance folder: the setting, else beside the index folder.

    Refuses a folder inside the project's source tree (except the ignored ``.kb``), so a
    password hash or secret key can never be committed by accident.
    """
    folder = Path(setting) if setting else Path(index).resolve().parent / "instance"
    folder = folder.resolve()
    source_tree = (PROJECT_ROOT / "pyproject.toml").is_file()
    if (
        source_tree
        and folder.is_relative_to(PROJECT_ROOT)
        and not folder.is_relative_to(PROJECT_ROOT / ".kb")
    ):
        raise InstanceError(
            f"实例文件夹 {folder} 在项目代码目录中，密码和密钥可能被提交。"
            "请用 --instance 指定代码目录以外的文件夹（或放在 .kb/ 下）。"
        )
    return folder


def ensure_private_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    with contextlib.suppress(OSError):  # not supported everywhere (Windows: read-only bit only)
        os.chmod(folder, 0o700)
    return folder


def write_private(path: Path, text: str) -> None:
    """Write ``text`` owner-only and atomically (readers see the old or the new file)."""
    ensure_private_folder(path.parent)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def secret_key(instance: Path) -> str:
    """The app's secret key, generated on first use and kept, so sessions survive restarts."""
    path = instance / SECRET_FILE
    with contextlib.suppress(OSError):
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= 32:
            return key
    write_private(path, secrets.token_urlsafe(48) + "\n")
    return path.read_text(encoding="utf-8").strip()


def set_password(instance: Path, password: str) -> Path:
    """Store a salted scrypt hash of ``password``; returns the file written."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"密码至少 {MIN_PASSWORD} 个字符")
    path = instance / PASSWORD_FILE
    write_private(path, generate_password_hash(password, method="scrypt") + "\n")
    return path


def password_hash(instance: Path) -> str | None:
    try:
        stored = (instance / PASSWORD_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return stored or None


def check_password(instance: Path, password: str) -> bool:
    stored = password_hash(instance)
    return bool(stored) and check_password_hash(stored, password)


def _fingerprint(stored: str) -> str:
    # Tied to the hash, so setting a new password signs every open session out.
    return hashlib.sha256(stored.encode("utf-8")).hexdigest()[:16]


def _instance() -> Path:
    return Path(current_app.config["INSTANCE"])


def has_password() -> bool:
    return password_hash(_instance()) is not None


def log_in() -> None:
    session.clear()  # a fresh session (and CSRF secret) after login: no fixation
    stored = password_hash(_instance()) or ""
    session["kb_admin"] = _fingerprint(stored)
    session["kb_admin_at"] = int(time.time())


def log_out() -> None:
    session.clear()


def logged_in() -> bool:
    stored = password_hash(_instance())
    if stored is None or session.get("kb_admin") != _fingerprint(stored):
        return False
    started = session.get("kb_admin_at")
    return isinstance(started, int) and time.time() - started < SESSION_HOURS * 3600


def safe_next(target: str | None) -> str:
    """Where to go after login: only a path inside /admin, never another site."""
    unsafe = ("//", "\\", "\n", "\r")
    if target and target.startswith("/admin") and not any(u in target for u in unsafe):
        return target
    return url_for("admin.dashboard")


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Admin views: no password set -> the setup instructions (GET) or 403 (anything else);
    not logged in -> the login page (GET) or 401; so a forged request never changes a thing."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not has_password():
            if request.method == "GET":
                return render_template("admin_setup.html"), 403
            abort(403)
        if not logged_in():
            if request.method == "GET":
                return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
            abort(401)
        return view(*args, **kwargs)

    return guarded

"""The admin password and login, kept in the instance folder (never in the repository).

The instance folder holds what belongs to one installation and must not be committed or
served: the password hash, the session generation (changed to revoke every session), the
app's secret key, the last index report, removed documents.
Its default is ``<index folder>/../instance`` (``kb.settings.instance_folder``). Files are written owner-only where the OS
supports permissions (POSIX); on Windows the folder inherits the user's profile ACLs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from web.state import settings

PASSWORD_FILE = "admin-password"
SECRET_FILE = "secret-key"
GENERATION_FILE = "session-generation"
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
SESSION_HOURS = 8

# Login limits (see LoginThrottle and the README's 文件管理 section).
FREE_FAILURES = 5  # per address, and per known browser: wrong passwords before any wait
ACCOUNT_FREE_FAILURES = 50  # all unknown browsers together
FIRST_DELAY = 60.0  # seconds; doubles with each further wrong password
MAX_DELAY = 15 * 60.0
FORGET_AFTER = 24 * 3600.0  # a bucket without failures for this long starts afresh
DEVICE_COOKIE = "kb_admin_device"
DEVICE_DAYS = 180
# Key in app.extensions: a function telling whether the session is an account with the
# role 管理员 (web.accounts registers it; this module cannot import that one).
ACCOUNT_ADMIN = "kb.account_admin"


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
        for attempt in range(50):
            try:
                os.replace(tmp, path)
                break
            except PermissionError:
                # Windows refuses to replace a file another thread has open for a moment.
                if os.name != "nt" or attempt == 49:
                    raise
                time.sleep(0.02)
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


def password_problem(password: str) -> str:
    """Why ``password`` cannot be the admin password ("" when it can), in Chinese: asked of
    the first entry, before the user types it a second time."""
    if len(password) < MIN_PASSWORD:
        return f"密码至少要 {MIN_PASSWORD} 个字符，这次只有 {len(password)} 个。"
    if len(password) > MAX_PASSWORD:
        return f"密码最多 {MAX_PASSWORD} 个字符。"
    if not password.strip():
        return "密码不能全是空格。"
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        return "密码里有控制字符（如制表符），登录页面的输入框无法输入，请换一个。"
    if password != password.strip():
        return "密码的开头或结尾有空格，登录时容易漏输，请去掉。"
    return ""


def set_password(instance: Path, password: str) -> Path:
    """Store a salted scrypt hash of ``password``; returns the file written."""
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    path = instance / PASSWORD_FILE
    write_private(path, generate_password_hash(password, method="scrypt") + "\n")
    revoke_sessions(instance)
    return path


def session_generation(instance: Path) -> str | None:
    """The token every admin session must carry; None when it cannot be read (then no
    session is valid). A missing file is generation "0": nothing was revoked yet."""
    try:
        return (instance / GENERATION_FILE).read_text(encoding="utf-8").strip() or "0"
    except FileNotFoundError:
        return "0"
    except OSError:
        return None


def revoke_sessions(instance: Path) -> None:
    """End every admin session, copied cookies included: sessions are signed client-side,
    so the server keeps the one thing they must match, and changes it."""
    write_private(instance / GENERATION_FILE, secrets.token_urlsafe(16) + "\n")


def password_hash(instance: Path) -> str | None:
    try:
        stored = (instance / PASSWORD_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return stored or None


def check_password(instance: Path, password: str) -> bool:
    stored = password_hash(instance)
    return stored is not None and check_password_hash(stored, password)


def _fingerprint(stored: str, generation: str) -> str:
    # Tied to the hash and the session generation: a new password or a logout (which
    # changes the generation) signs every open session out, wherever its cookie went.
    return hashlib.sha256(f"{stored}\n{generation}".encode()).hexdigest()[:32]


def _instance() -> Path:
    return settings().instance_dir


def has_password() -> bool:
    return password_hash(_instance()) is not None


def log_in() -> None:
    session.clear()  # a fresh session (and CSRF secret) after login: no fixation
    stored = password_hash(_instance()) or ""
    session["kb_admin"] = _fingerprint(stored, session_generation(_instance()) or "")
    session["kb_admin_at"] = int(time.time())


def log_out() -> bool:
    """End this session and, when it was an admin's, every other copy of it: the admin
    account is one, so logging out signs out every browser (an anonymous visitor's
    logout must not sign the admin out). False when the other copies could not be
    revoked (the instance folder cannot be written)."""
    revoked = True
    if logged_in():
        try:
            revoke_sessions(_instance())
        except OSError:
            current_app.logger.exception("cannot revoke the admin sessions")
            revoked = False
    session.clear()
    return revoked


def logged_in() -> bool:
    stored = password_hash(_instance())
    generation = session_generation(_instance())
    if stored is None or generation is None:
        return False
    if session.get("kb_admin") != _fingerprint(stored, generation):
        return False
    started = session.get("kb_admin_at")
    return isinstance(started, int) and time.time() - started < SESSION_HOURS * 3600


# --- the login limiter ---------------------------------------------------------------------


@dataclass
class _Bucket:
    failures: int = 0
    pending: int = 0  # checks under way: counted before the password is checked
    wait_until: float = 0.0
    last: float = 0.0

    def wait(self, free: int, now: float) -> float:
        """Seconds until this bucket allows one more check (0: now)."""
        if self.failures + self.pending < free:
            return 0.0
        if self.pending == 0 and self.failures >= free and now >= self.wait_until:
            return 0.0  # one try after each wait
        return max(self.wait_until - now, 1.0)


class LoginThrottle:
    """Wrong admin passwords, counted per bucket under one lock.

    An attempt reserves its place in every bucket it belongs to *before* the password is
    checked, so sixty guesses at once get exactly as many checks as the limits allow (a
    limiter that counts after the answer lets all of them through while the first are still
    being checked). The limits are waits, never a lockout: ``free`` wrong passwords, then one
    try after FIRST_DELAY seconds, the wait doubling with each further wrong password up to
    MAX_DELAY; a right password clears the caller's own bucket; a bucket that saw no wrong
    password for FORGET_AFTER seconds starts afresh. Kept in memory: a restart clears it.
    """

    clock: Callable[[], float] = staticmethod(time.monotonic)
    MAX_BUCKETS = 10_000

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    def begin(self, keys: Sequence[tuple[str, int]]) -> float:
        """Reserve one check in every bucket ``(key, free failures)``: 0, or the seconds to
        wait (nothing reserved then)."""
        with self._lock:
            now = self.clock()
            buckets = [(self._bucket(key, now), free) for key, free in keys]
            wait = max((bucket.wait(free, now) for bucket, free in buckets), default=0.0)
            if wait > 0:
                return wait
            for bucket, _ in buckets:
                bucket.pending += 1
            return 0.0

    def finish(self, keys: Sequence[tuple[str, int]], ok: bool, clear: str | None) -> None:
        """Record the outcome of a check ``begin`` allowed; a right password clears the
        bucket ``clear`` (the browser's or address's own), never the shared ones."""
        with self._lock:
            now = self.clock()
            for key, free in keys:
                bucket = self._buckets.setdefault(key, _Bucket())
                bucket.pending = max(bucket.pending - 1, 0)
                if ok:
                    if key == clear:
                        bucket.failures, bucket.wait_until = 0, 0.0
                else:
                    bucket.failures += 1
                    bucket.last = now
                    if bucket.failures >= free:
                        delay = FIRST_DELAY * 2 ** min(bucket.failures - free, 20)
                        bucket.wait_until = now + min(delay, MAX_DELAY)
                if bucket.failures == 0 and bucket.pending == 0:
                    del self._buckets[key]

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.MAX_BUCKETS:
                self._prune()
            bucket = self._buckets[key] = _Bucket()
        elif bucket.pending == 0 and now - bucket.last > FORGET_AFTER:
            bucket.failures, bucket.wait_until = 0, 0.0
        return bucket

    def _prune(self) -> None:
        # Many addresses (an attacker's range): drop the quietest half of the per-client
        # buckets; the account-wide bucket is never dropped, so it still slows them down.
        idle = [k for k, b in self._buckets.items() if b.pending == 0 and k != ACCOUNT_KEY]
        idle.sort(key=lambda k: self._buckets[k].last)
        for key in idle[: max(len(idle) // 2, 1)]:
            del self._buckets[key]


ACCOUNT_KEY = "account"


def _device_serializer() -> URLSafeTimedSerializer:
    key = current_app.secret_key
    assert key is not None  # create_app always sets one (web.auth.secret_key)
    return URLSafeTimedSerializer(key, salt="kb-admin-device")


def known_device() -> str | None:
    """The id of this browser when it logged in successfully before (a signed cookie)."""
    raw = request.cookies.get(DEVICE_COOKIE, "")
    if not raw or len(raw) > 300:
        return None
    try:
        device = _device_serializer().loads(raw, max_age=DEVICE_DAYS * 24 * 3600)
    except BadSignature:  # also an expired one
        return None
    return device if isinstance(device, str) and 16 <= len(device) <= 64 else None


def remember_device(response: Any, device: str | None) -> None:
    """Mark this browser as the admin's (after a right password) for DEVICE_DAYS days."""
    response.set_cookie(
        DEVICE_COOKIE,
        _device_serializer().dumps(device or secrets.token_urlsafe(18)),
        max_age=DEVICE_DAYS * 24 * 3600,
        path=request.script_root + "/admin",  # under a reverse proxy's prefix too
        httponly=True,
        samesite="Strict",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure,
    )


def login_buckets(device: str | None, address: str | None) -> tuple[list[tuple[str, int]], str]:
    """The buckets a login attempt counts in, and the one a right password clears.

    A browser that logged in before counts only in its own bucket, so nobody else (behind
    the same address or anywhere) can make the admin wait there. Any other browser counts
    per address and, with every other unknown browser, in one account-wide bucket that
    slows down guesses spread over many addresses."""
    if device:
        own = f"device:{device}"
        return [(own, FREE_FAILURES)], own
    own = f"address:{address or '?'}"
    return [(own, FREE_FAILURES), (ACCOUNT_KEY, ACCOUNT_FREE_FAILURES)], own


def wait_text(seconds: float) -> str:
    """'45 秒' or '2 分钟': how long to wait, rounded up."""
    seconds = max(int(-(-seconds // 1)), 1)
    return f"{seconds} 秒" if seconds < 60 else f"{-(-seconds // 60)} 分钟"


def safe_next(target: str | None) -> str:
    """Where to go after login, as a path inside the app (``redirect_to`` adds a proxy's
    prefix): only a path inside /admin, never another site."""
    unsafe = ("//", "\\", "\n", "\r")
    if target and target.startswith("/admin") and not any(u in target for u in unsafe):
        return target
    return url_for("admin.dashboard")[len(request.script_root) :]


def redirect_to(target: str, code: int = 302) -> Any:
    """A redirect to a path inside the app (from ``safe_next``), under the app's prefix."""
    return redirect(request.script_root + target, code=code)


def login_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Admin views: no password set -> the setup instructions (GET) or 403 (anything else);
    not logged in -> the login page (GET) or 401; so a forged request never changes a thing.
    An account with the role 管理员 (web.accounts) is let in as the admin is."""

    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        account_admin = current_app.extensions.get(ACCOUNT_ADMIN)
        if account_admin is not None and account_admin():
            return view(*args, **kwargs)
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

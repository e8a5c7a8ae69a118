"""Accounts of readers and admins, their sessions, and who makes each request (kb.access).

Accounts live in the instance folder (``accounts.json``, owner-only, written atomically):
name, department, role (读者 / 部门管理员 / 管理员), a salted scrypt hash of the password (as
``web.auth`` keeps the admin password), whether it is disabled, and a ``stamp`` that changes
with every change to the account (a new password, disabling, another department or role):
a session carries the stamp it was opened with, so any change signs that user out
everywhere. The admin password of ``web.auth`` stays the 管理员 account of the installation.

Whether anonymous visitors may search at all is kept beside them (``access.json``); by
default they may, and see 公开 documents only.

Single sign-on behind a reverse proxy is off unless the server's admin writes ``sso.json`` in
the instance folder by hand (never through the web): ``{"header": "X-Remote-User",
"proxies": ["127.0.0.1"]}``. A request from one of ``proxies`` (the proxy's own address as
the server sees it) whose ``header`` names an enabled account (percent-encoded UTF-8, as
headers carry no Chinese) is that account's. Anyone who can reach the server other than
through the proxy from one of those addresses could name any user: README says so.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import unquote

from flask import Flask, current_app, g, jsonify, redirect, request, session, url_for
from werkzeug.security import check_password_hash, generate_password_hash

from kb.access import ADMIN, ANONYMOUS, MAX_NAME, ROLES, SYSTEM_ADMIN, Viewer, split_names
from web import auth
from web.state import VIEWER, settings, viewer

ACCOUNTS_FILE = "accounts.json"
ACCESS_FILE = "access.json"
SSO_FILE = "sso.json"
DEFAULT_PROXIES = ("127.0.0.1", "::1")
SESSION_HOURS = auth.SESSION_HOURS
MAX_ACCOUNTS = 10_000
# A hash checked for unknown names, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8), method="scrypt")
_lock = threading.Lock()  # one change of the accounts file at a time (per process)

# Pages an anonymous visitor may open when anonymous search is off: logging in, assets,
# and the admin's own pages (behind the admin password).
OPEN_ENDPOINTS = frozenset({"static", "accounts.login", "accounts.logout"})
OPEN_PREFIXES = ("admin.", "doc_meta.", "accounts.admin_")


class AccountError(ValueError):
    """A change to accounts that cannot be made; the message is for the admin, in Chinese."""


@dataclass
class Account:
    name: str
    department: str
    role: str
    password_hash: str
    disabled: bool = False
    stamp: str = ""

    def viewer(self) -> Viewer:
        return Viewer(self.name, self.department, self.role)


def _path(instance: Path) -> Path:
    return instance / ACCOUNTS_FILE


def load_accounts(instance: Path) -> dict[str, Account]:
    """Every account by name; {} when there is no accounts file yet. A file that cannot be
    read raises (no account is better than a guess)."""
    try:
        raw = json.loads(_path(instance).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {row["name"]: Account(**row) for row in raw.get("accounts", [])}


def _save(instance: Path, accounts: dict[str, Account]) -> None:
    rows = [asdict(account) for account in sorted(accounts.values(), key=lambda a: a.name)]
    text = json.dumps({"accounts": rows}, ensure_ascii=False, indent=1) + "\n"
    auth.write_private(_path(instance), text)


def _checked_name(name: str, what: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise AccountError(f"请填写{what}")
    if len(name) > MAX_NAME:
        raise AccountError(f"{what}太长，最多 {MAX_NAME} 个字")
    if split_names(name) != (name,):
        raise AccountError(f"{what}“{name}”不能含有空格、逗号、顿号或分号")
    return name


def _checked_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"角色应为 {'、'.join(ROLES)} 之一")
    return role


def _hash(password: str) -> str:
    if len(password) < auth.MIN_PASSWORD:
        raise AccountError(f"密码至少 {auth.MIN_PASSWORD} 个字符")
    return generate_password_hash(password, method="scrypt")


def create_account(instance: Path, name: str, department: str, role: str, password: str) -> Account:
    """A new account; AccountError when the name is taken or a value cannot be used."""
    name = _checked_name(name, "姓名")
    department = _checked_name(department, "部门") if department.strip() else ""
    role = _checked_role(role)
    with _lock:
        accounts = load_accounts(instance)
        if name in accounts:
            raise AccountError(f"已有名为“{name}”的账户")
        if len(accounts) >= MAX_ACCOUNTS:
            raise AccountError(f"账户已达 {MAX_ACCOUNTS} 个")
        account = Account(name, department, role, _hash(password), stamp=secrets.token_hex(8))
        accounts[name] = account
        _save(instance, accounts)
    return account


def change_account(
    instance: Path,
    name: str,
    *,
    department: str | None = None,
    role: str | None = None,
    password: str | None = None,
    disabled: bool | None = None,
) -> Account:
    """Change what is given of an account; every session of it ends (a new stamp)."""
    with _lock:
        accounts = load_accounts(instance)
        account = accounts.get(name)
        if account is None:
            raise AccountError(f"没有名为“{name}”的账户")
        if department is not None:
            account.department = _checked_name(department, "部门") if department.strip() else ""
        if role is not None:
            account.role = _checked_role(role)
        if password is not None:
            account.password_hash = _hash(password)
        if disabled is not None:
            account.disabled = disabled
        account.stamp = secrets.token_hex(8)
        _save(instance, accounts)
    return account


def authenticate(instance: Path, name: str, password: str) -> Account | None:
    """The enabled account ``name`` when ``password`` is its password, else None."""
    account = load_accounts(instance).get(name.strip())
    stored = account.password_hash if account is not None else _DUMMY_HASH
    right = check_password_hash(stored, password)
    if account is None or account.disabled or not right:
        return None
    return account


def anonymous_search(instance: Path) -> bool:
    """Whether visitors who are not logged in may search (they see 公开 documents only)."""
    try:
        raw = json.loads((instance / ACCESS_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return True
    except (OSError, ValueError):  # unreadable: ask for a login rather than guess
        current_app.logger.exception("cannot read %s", instance / ACCESS_FILE)
        return False
    return not isinstance(raw, dict) or raw.get("anonymous_search", True) is not False


def set_anonymous_search(instance: Path, allowed: bool) -> None:
    text = json.dumps({"anonymous_search": allowed}, ensure_ascii=False) + "\n"
    auth.write_private(instance / ACCESS_FILE, text)


# --- sessions ------------------------------------------------------------------------------


def _instance() -> Path:
    return settings().instance_dir


def log_in(account: Account) -> None:
    session.clear()  # a fresh session after login: no fixation
    session["kb_user"] = account.name
    session["kb_user_stamp"] = account.stamp
    session["kb_user_at"] = int(time.time())
    g.pop("kb_viewer", None)


def log_out() -> None:
    session.pop("kb_user", None)
    session.pop("kb_user_stamp", None)
    session.pop("kb_user_at", None)
    g.pop("kb_viewer", None)


def session_account() -> Account | None:
    """The account of this session while it is valid: the account exists, is enabled and
    unchanged since login, and the session is younger than SESSION_HOURS."""
    name = session.get("kb_user")
    if not isinstance(name, str):
        return None
    try:
        account = load_accounts(_instance()).get(name)
    except (OSError, ValueError, TypeError, KeyError):
        current_app.logger.exception("cannot read the accounts")
        return None
    started = session.get("kb_user_at")
    if account is None or account.disabled or session.get("kb_user_stamp") != account.stamp:
        return None
    if not isinstance(started, int) or time.time() - started >= SESSION_HOURS * 3600:
        return None
    return account


def trusted_header(instance: Path) -> tuple[str, frozenset[str]] | None:
    """(header, proxy addresses) of single sign-on, or None: off (no ``sso.json``, no header
    named in it, or a file that cannot be read)."""
    try:
        raw = json.loads((instance / SSO_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        current_app.logger.exception("cannot read %s; single sign-on is off", instance / SSO_FILE)
        return None
    header = str(raw.get("header") or "").strip() if isinstance(raw, dict) else ""
    if not header:
        return None
    proxies = raw.get("proxies") or DEFAULT_PROXIES
    return header, frozenset(str(p) for p in proxies)


def header_account() -> Account | None:
    """The enabled account the trusted proxy's header names, when single sign-on is on."""
    found = trusted_header(_instance())
    if found is None:
        return None
    header, proxies = found
    if request.remote_addr not in proxies:
        return None
    name = unquote(request.headers.get(header, "")).strip()
    if not name:
        return None
    account = load_accounts(_instance()).get(name)
    return account if account is not None and not account.disabled else None


def current_viewer() -> Viewer:
    """Who makes the request: the admin (the admin password's session), the account a
    trusted proxy names (single sign-on, when on), an account's session, or an anonymous
    visitor."""
    if auth.has_password() and auth.logged_in():
        return SYSTEM_ADMIN
    account = header_account() or session_account()
    return account.viewer() if account is not None else ANONYMOUS


def is_account_admin() -> bool:
    """The session is an account with the role 管理员 (the admin pages let it in)."""
    return viewer().role == ADMIN


def init_app(app: Flask) -> None:
    """Register who makes each request, and keep anonymous visitors out when the admin
    turned anonymous search off."""
    app.extensions[VIEWER] = current_viewer
    app.extensions[auth.ACCOUNT_ADMIN] = is_account_admin
    app.extensions["kb.reader_throttle"] = auth.LoginThrottle()

    @app.before_request
    def gate():
        endpoint = request.endpoint or ""
        if endpoint in OPEN_ENDPOINTS or endpoint.startswith(OPEN_PREFIXES):
            return None
        if viewer().logged_in or anonymous_search(_instance()):
            return None
        if request.path.startswith("/api/"):
            message = "请先登录后再检索。"
            return jsonify({"error": {"code": 401, "message": message}}), 401
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))

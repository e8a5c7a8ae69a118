"""Logging in as a reader (/login, /logout), the admin's accounts page (/admin/accounts), a
部门管理员's page for the readers of their own department (/dept/accounts) and the 留痕 log
(/admin/audit, downloadable as .csv). Every change to an account is written to the log.

The accounts themselves, sessions and who makes a request are ``web.accounts``; the log is
``web.audit``.
"""

from __future__ import annotations

import csv
import io
import logging

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from kb.access import ADMIN, DEPARTMENT_ADMIN, READER, ROLES, Viewer
from web import accounts, audit, auth
from web.state import settings, viewer
from web.text import clean_text

log = logging.getLogger("kb.accounts")

blueprint = Blueprint("accounts", __name__)
AUDIT_SHOWN = 500
# The admin's actions on an account, and what the log calls each.
CHANGES = {
    "reset": audit.RESET_PASSWORD,
    "disable": audit.DISABLE_ACCOUNT,
    "enable": audit.ENABLE_ACCOUNT,
    "update": audit.UPDATE_ACCOUNT,
}


def _safe_next(target: str | None) -> str:
    """Where to go after login: a path of this site only."""
    unsafe = ("//", "\\", "\n", "\r")
    if target and target.startswith("/") and not any(u in target for u in unsafe):
        return target
    return url_for("search.search_page")


@blueprint.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    target = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("login.html", next=target)
    name = request.form.get("name", "").strip()[:100]
    throttle: auth.LoginThrottle = current_app.extensions["kb.reader_throttle"]
    buckets = [
        (f"address:{request.remote_addr or '?'}", auth.FREE_FAILURES),
        (f"user:{name}", auth.FREE_FAILURES),
    ]
    wait = throttle.begin(buckets)
    if wait:
        error = f"尝试次数太多，请 {auth.wait_text(wait)}后再试。"
        response = make_response(render_template("login.html", next=target, error=error), 429)
        response.headers["Retry-After"] = str(max(int(-(-wait // 1)), 1))
        return response
    account = None
    try:
        account = accounts.authenticate(
            settings().instance_dir, name, request.form.get("password", "")
        )
    finally:
        throttle.finish(buckets, account is not None, clear=buckets[0][0])
    if account is None:
        log.warning("failed login as %r from %s", name, request.remote_addr)
        error = "姓名或密码不正确，或账户已停用。"
        return render_template("login.html", next=target, error=error, name=name), 401
    accounts.log_in(account)
    log.info("%s logged in from %s", account.name, request.remote_addr)
    return redirect(target, code=303)


@blueprint.post("/logout")
def logout() -> ResponseReturnValue:
    if auth.has_password() and auth.logged_in():
        # The admin's session: ended everywhere, as the admin pages' own 退出 does.
        auth.log_out()
    accounts.log_out()
    flash("已退出登录。", "info")
    return redirect(url_for("accounts.login"), code=303)


# --- the admin's pages ---------------------------------------------------------------------


def _accounts_page(error: str = "", status: int = 200, form: dict | None = None):
    instance = settings().instance_dir
    listed = sorted(accounts.load_accounts(instance).values(), key=lambda a: (a.department, a.name))
    return (
        render_template(
            "admin_accounts.html",
            accounts=listed,
            roles=ROLES,
            default_role=READER,
            anonymous=accounts.anonymous_search(instance),
            error=error,
            form=form or {},
        ),
        status,
    )


@blueprint.get("/admin/accounts")
@auth.login_required
def admin_accounts() -> ResponseReturnValue:
    return _accounts_page()


@blueprint.post("/admin/accounts")
@auth.login_required
def admin_create() -> ResponseReturnValue:
    form = {key: request.form.get(key, "") for key in ("name", "department", "role")}
    try:
        account = accounts.create_account(
            settings().instance_dir,
            form["name"],
            form["department"],
            form["role"],
            request.form.get("password", ""),
        )
    except accounts.AccountError as error:
        return _accounts_page(str(error), 400, form)
    log.info("account %s created by %s", account.name, viewer().describe())
    audit.record(
        audit.CREATE_ACCOUNT, account.name, {"部门": account.department, "角色": account.role}
    )
    flash(f"已新建账户“{account.name}”。", "info")
    return redirect(url_for("accounts.admin_accounts"), code=303)


@blueprint.post("/admin/accounts/change")
@auth.login_required
def admin_change() -> ResponseReturnValue:
    name = request.form.get("name", "")
    action = request.form.get("action", "")
    instance = settings().instance_dir
    details: dict[str, str] | None = None  # never the password
    try:
        if action == "reset":
            accounts.change_account(instance, name, password=request.form.get("password", ""))
            done = "已重设密码"
        elif action in ("disable", "enable"):
            accounts.change_account(instance, name, disabled=action == "disable")
            done = "已停用" if action == "disable" else "已启用"
        elif action == "update":
            changed = accounts.change_account(
                instance,
                name,
                department=request.form.get("department", ""),
                role=request.form.get("role", ""),
            )
            details = {"部门": changed.department, "角色": changed.role}
            done = "已修改部门和角色"
        else:
            return _accounts_page("不认识的操作。", 400)
    except accounts.AccountError as error:
        return _accounts_page(str(error), 400)
    log.info("account %s: %s by %s", name, action, viewer().describe())
    audit.record(CHANGES[action], name, details)
    flash(f"账户“{name}”{done}，该账户的登录已全部失效。", "info")
    return redirect(url_for("accounts.admin_accounts"), code=303)


@blueprint.post("/admin/accounts/anonymous")
@auth.login_required
def admin_anonymous() -> ResponseReturnValue:
    allowed = request.form.get("allowed") == "1"
    accounts.set_anonymous_search(settings().instance_dir, allowed)
    flash("未登录的访客现在可以检索公开文件。" if allowed else "未登录的访客现在须先登录。", "info")
    return redirect(url_for("accounts.admin_accounts"), code=303)


# --- a 部门管理员's page: the readers of their own department --------------------------------


def _error(code: int, message: str) -> Response:
    return make_response(render_template("error.html", code=code, message=message), code)


def _department_admin() -> Viewer:
    """The 部门管理员 making this request; anyone else is sent to log in (anonymous) or
    refused with 403 (aborts)."""
    who = viewer()
    if not who.logged_in:
        if request.method == "GET":
            abort(redirect(url_for("accounts.login", next=request.full_path.rstrip("?"))))
        abort(_error(403, "请先登录。"))
    if who.role == ADMIN and request.method == "GET":
        abort(redirect(url_for("accounts.admin_accounts")))  # the admin's own page
    if who.role != DEPARTMENT_ADMIN:
        abort(_error(403, "只有部门管理员可以管理本部门的账户。"))
    if not who.department:
        abort(_error(403, "您的账户没有填写部门，无法管理本部门账户；请联系管理员。"))
    return who


def _own_reader(who: Viewer, name: str) -> accounts.Account:
    """The reader account ``name`` of ``who``'s department; 403 for any other account (one
    message for all, so that the page tells nothing of other departments)."""
    account = accounts.load_accounts(settings().instance_dir).get(name)
    if account is None or account.department != who.department or account.role != READER:
        abort(_error(403, f"本部门没有名为“{name[:50]}”的读者账户，只能管理本部门读者的账户。"))
    return account


def _department_page(who: Viewer, error: str = "", status: int = 200, form: dict | None = None):
    listed = sorted(
        (
            account
            for account in accounts.load_accounts(settings().instance_dir).values()
            if account.department == who.department
        ),
        key=lambda a: (a.role != READER, a.name),
    )
    return (
        render_template(
            "dept_accounts.html",
            who=who,
            accounts=listed,
            reader=READER,
            error=error,
            form=form or {},
        ),
        status,
    )


@blueprint.get("/dept/accounts")
def dept_accounts() -> ResponseReturnValue:
    return _department_page(_department_admin())


@blueprint.post("/dept/accounts")
def dept_create() -> ResponseReturnValue:
    who = _department_admin()
    department = request.form.get("department")
    role = request.form.get("role")
    if (department is not None and department.strip() != who.department) or (
        role is not None and role != READER
    ):
        return _error(403, f"只能在本部门（{who.department}）新建读者账户。")
    form = {"name": request.form.get("name", "")}
    try:
        account = accounts.create_account(
            settings().instance_dir,
            form["name"],
            who.department,
            READER,
            request.form.get("password", ""),
        )
    except accounts.AccountError as error:
        return _department_page(who, str(error), 400, form)
    log.info("account %s created by %s", account.name, who.describe())
    audit.record(
        audit.CREATE_ACCOUNT, account.name, {"部门": account.department, "角色": account.role}
    )
    flash(f"已新建本部门读者账户“{account.name}”。", "info")
    return redirect(url_for("accounts.dept_accounts"), code=303)


@blueprint.post("/dept/accounts/change")
def dept_change() -> ResponseReturnValue:
    who = _department_admin()
    action = request.form.get("action", "")
    if action not in ("reset", "disable", "enable"):
        return _department_page(who, "部门管理员只能重设密码、停用或启用账户。", 400)
    account = _own_reader(who, request.form.get("name", ""))
    instance = settings().instance_dir
    try:
        if action == "reset":
            accounts.change_account(
                instance, account.name, password=request.form.get("password", "")
            )
            done = "已重设密码"
        else:
            accounts.change_account(instance, account.name, disabled=action == "disable")
            done = "已停用" if action == "disable" else "已启用"
    except accounts.AccountError as error:
        return _department_page(who, str(error), 400)
    log.info("account %s: %s by %s", account.name, action, who.describe())
    audit.record(CHANGES[action], account.name)
    flash(f"账户“{account.name}”{done}，该账户的登录已全部失效。", "info")
    return redirect(url_for("accounts.dept_accounts"), code=303)


@blueprint.get("/admin/audit")
@auth.login_required
def admin_audit() -> ResponseReturnValue:
    rows = [audit.row(entry) for entry in audit.latest(settings().instance_dir, AUDIT_SHOWN)]
    return render_template("admin_audit.html", rows=rows, columns=audit.COLUMNS, shown=AUDIT_SHOWN)


def _spreadsheet_safe(value: str) -> str:
    """A cell Excel will not run: text starting like a formula (=, +, -, @; a searched word
    may) gets a leading apostrophe, which Excel shows as plain text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


@blueprint.get("/admin/audit.csv")
@auth.login_required
def admin_audit_csv() -> ResponseReturnValue:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(audit.COLUMNS)
    for entry in audit.entries(settings().instance_dir):
        writer.writerow([_spreadsheet_safe(value) for value in audit.row(entry)])
    # With a BOM, so that Excel opens the Chinese text as UTF-8.
    body = "\ufeff" + out.getvalue()
    response = Response(body, mimetype="text/csv; charset=utf-8")
    response.headers["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%95%99%E7%97%95.csv"
    return response


@blueprint.get("/admin/audit.xlsx")
@auth.login_required
def admin_audit_xlsx() -> ResponseReturnValue:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook(write_only=False)
    sheet = book.active
    assert sheet is not None
    sheet.title = "留痕"
    sheet.append(list(audit.COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in audit.entries(settings().instance_dir):
        sheet.append([clean_text(value) for value in audit.row(entry)])
        for cell in sheet[sheet.max_row]:
            cell.data_type = "s"  # text stays text: never a formula
    sheet.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHI", (26, 12, 12, 10, 16, 16, 30, 40, 6), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    response = Response(
        out.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response.headers["Content-Disposition"] = "attachment; filename*=UTF-8''%E7%95%99%E7%97%95.xlsx"
    return response

"""The ``kb`` command: the front door, and the only module of kb that imports indexer or web."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from kb.engines.opensearch.settings import SettingsError
from kb.resources import DEFAULT_DICT, DEFAULT_DOCS
from kb.settings import LOG_FOLDER, MAX_THREADS, InstanceError, Server, Settings

log = logging.getLogger("kb.cli")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _configure_stdio() -> None:
    # Chinese output on consoles whose default encoding is not UTF-8 (Windows).
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        if hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):
                stream.reconfigure(encoding="utf-8", errors="replace")


def _update_failures() -> dict[type[Exception], int]:
    """What an index update may raise, with the exit status of a command that stops on it:
    2 a dictionary to fix, 3 the index busy, 4 the engine unreachable or the index damaged,
    5 the index not written."""
    from indexer.isolated import UpdateProcessFailed
    from indexer.store import IndexBusy
    from indexer.update import IndexWriteFailed
    from kb.dictionaries import DictionaryError
    from kb.integrity import IndexDamaged
    from kb.view import EngineUnavailable

    return {
        DictionaryError: 2,
        IndexBusy: 3,
        EngineUnavailable: 4,
        IndexDamaged: 4,
        IndexWriteFailed: 5,
        UpdateProcessFailed: 5,
    }


def _said(error: Exception, failures: dict[type[Exception], int]) -> int:
    """Tell the user ``error`` (one of ``failures``) and give its exit status."""
    from kb.dictionaries import DictionaryError

    _stderr(f"词典有误：{error}" if isinstance(error, DictionaryError) else str(error))
    return next(status for kind, status in failures.items() if isinstance(error, kind))


def cmd_index(args: argparse.Namespace) -> int:
    from indexer.update import update

    settings = args.settings
    paths = [Path(p) for p in args.paths] or [settings.corpus]
    failures = _update_failures()
    try:
        report = update(
            settings.backend, paths, settings.dictionaries, rebuild=args.rebuild, progress=_stderr
        )
    except tuple(failures) as error:
        return _said(error, failures)
    print(
        f"新增 {len(report.added)}，更新 {len(report.updated)}，删除 {len(report.removed)}，"
        f"未变 {report.unchanged}，失败 {len(report.failed)}"
        + (f"；共写入 {report.passages} 个段落" if report.passages else "")
        + ("（已重建索引）" if report.rebuilt else "")
    )
    for label, items in (
        ("新增", report.added),
        ("更新", report.updated),
        ("删除", report.removed),
    ):
        for item in items:
            print(f"  {label}：{item}")
    for failure in report.failed:
        print(f"  失败：{failure.path}：{failure.reason}")
    for warning in report.warnings:
        print(f"  提示：{warning}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    """Keep the index current until Ctrl+C (see indexer.watch)."""
    from indexer.update import update
    from indexer.watch import watch

    if not args.interval > 0:
        _stderr("--interval 应大于 0 秒")
        return 2
    settings = args.settings
    paths = [Path(p) for p in args.paths] or [settings.corpus]
    shown = "、".join(str(p) for p in paths)
    _stderr(f"正在监视 {shown}，每 {args.interval:g} 秒检查一次；Ctrl+C 停止。")
    backend = settings.backend
    try:
        watch(
            backend.index,
            paths,
            settings.dictionaries,
            args.interval,
            say=lambda line: print(line, flush=True),
            update=lambda _, paths, dict_source: update(backend, paths, dict_source),
        )
    except KeyboardInterrupt:
        _stderr("已停止监视。")
    return 0


def _plain_snippet(snippet: str) -> str:
    import html

    return html.unescape(
        re.sub(r"</?mark>", lambda m: "【" if m.group() == "<mark>" else "】", snippet)
    )


def _print_result(result, offset: int) -> None:
    if result.error:
        _stderr(f"出错：{result.error}")
    for note in result.notes:
        _stderr(f"提示：{note}")
    print(f"共 {result.total} 条段落，来自 {result.documents} 篇文件")
    for number, hit in enumerate(result.hits, offset + 1):
        meta = " ".join(x for x in (hit.doc_type, hit.date, hit.doc_no) if x)
        print(f"\n{number}. 《{hit.title}》 {meta}")
        if hit.section:
            print("   " + " > ".join(hit.section))
        print("   " + _plain_snippet(hit.snippet))
        why = _why(hit.matched)
        if why:
            print(f"   （{why}）")
        print(f"   {hit.path}")


def _why(matched: dict) -> str:
    """kb.explain.matched as one line, as the web page shows it."""
    parts = []
    if matched.get("doc_no"):
        parts.append(f"发文字号 {matched['doc_no']}")
    if matched.get("phrases"):
        parts.append("短语 " + "".join(f"“{p}”" for p in matched["phrases"]))
    if matched.get("words"):
        parts.append("匹配 " + "、".join(matched["words"]))
    if matched.get("expansions"):
        reached: dict[str, list[str]] = {}
        for expansion in matched["expansions"]:
            reached.setdefault(expansion["for"], []).append(expansion["word"])
        parts.append("扩展 " + "、".join(f"{'、'.join(w)} ← {t}" for t, w in reached.items()))
    if matched.get("missing"):
        parts.append("未含 " + "、".join(matched["missing"]))
    return "；".join(parts)


def _open_searcher(args: argparse.Namespace):
    """The chosen backend's searcher, or None after telling the user why there is none."""
    from kb.indexdir import IndexMissing
    from kb.integrity import IndexDamaged
    from kb.upgrade import format_behind
    from kb.view import EngineUnavailable

    backend = args.settings.backend
    try:
        behind = format_behind(backend)
        if behind:
            _stderr(
                f"{behind}，结果可能不完整；运行 kb index 即按新格式重建（kb serve 会自动重建）。"
            )
        return backend.open_searcher()
    except (IndexMissing, IndexDamaged, EngineUnavailable) as error:
        _stderr(str(error))
        return None
    except Exception as error:  # an index this kb cannot read at all: rebuilding mends it
        if not behind:
            raise
        _stderr(f"{behind}，本版本无法读取（{type(error).__name__}）；请运行 kb index 重建。")
        return None


def _as_viewer(args: argparse.Namespace, searcher):
    """(searcher, account) as ``--as USER`` sees the index (an account of the web's instance
    folder, kb.access), or (searcher, None) as the admin without ``--as``; (None, None)
    after saying why not."""
    name = getattr(args, "as_user", None)
    if not name:
        return searcher, None
    from web.accounts import load_accounts

    instance = args.settings.with_instance().instance_dir
    account = load_accounts(instance).get(name)
    if account is None or account.disabled:
        _stderr(f"实例文件夹 {instance} 中没有名为“{name}”的可用账户。")
        return None, None
    return searcher.for_viewer(account.viewer()), account.viewer()


def _audit_trail(args: argparse.Namespace, who, cases: bool = False):
    """A function that writes one search (of cases, with ``cases``) to the 留痕 log of the
    instance folder the command runs with (``--instance`` or ``--as``; web.audit), as ``who``
    or the command's admin; without an instance folder, one that writes nothing."""
    if not (getattr(args, "instance", None) or getattr(args, "as_user", None)):
        return lambda query, status: None
    from web import audit

    instance = args.settings.with_instance().instance_dir
    action = audit.COMMAND_CASES if cases else audit.COMMAND_SEARCH

    def trace(query: str, status: int) -> None:
        try:
            audit.append(instance, audit.command_entry(who, action, query, status))
        except OSError as error:
            _stderr(f"提示：无法写入留痕记录（{instance / audit.AUDIT_FOLDER}）：{error}")

    return trace


def cmd_search(args: argparse.Namespace) -> int:
    searcher, who = _open_searcher(args), None
    if searcher is not None:
        searcher, who = _as_viewer(args, searcher)
    if searcher is None:
        return 2
    trace = _audit_trail(args, who)

    def run(query: str, offset: int = args.offset):
        result = searcher.search(query, limit=args.limit, offset=offset, per_doc=args.per_doc)
        trace(query, 1 if result.error else 0)
        return result

    if args.query == "-":
        for line in sys.stdin:
            query = line.rstrip("\r\n")
            print(json.dumps(run(query).as_dict(), ensure_ascii=False), flush=True)
        return 0
    if args.query is None:
        if not sys.stdin.isatty():
            _stderr("请给出检索词，或用 kb search - 从标准输入逐行读取。")
            return 2
        return _interactive(run, args.limit)
    result = run(args.query)
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    else:
        _print_result(result, args.offset)
    return 1 if result.error else 0


INTERACTIVE_HELP = (
    '输入检索词后回车；空行或 Ctrl+D 退出。语法："精确短语"  -排除词  type:通报  year:2024\n'
    "翻页：n 下一页，p 上一页，g 页码 跳到某页（如 g 3）；? 再看这段说明。"
)
_PAGE_COMMAND = re.compile(r"(?i)(n|下一页)|(p|上一页)|(?:g|第)\s*(\d{1,7})\s*页?")


def _interactive(run, per_page: int) -> int:
    """Search as the user types; n, p and g <page> page through the last search (kb.paging)."""
    from kb.paging import Pages

    _stderr(INTERACTIVE_HELP)
    query: str | None = None
    pages = Pages(0, per_page)
    while True:
        try:
            line = input("检索> ").strip()
        except (EOFError, KeyboardInterrupt):
            print()
            return 0
        if not line:
            return 0
        if line in ("?", "？", "help", "帮助"):
            _stderr(INTERACTIVE_HELP)
            continue
        command = _PAGE_COMMAND.fullmatch(line)
        if command and query is not None:
            wanted = pages.next if command[1] else pages.previous if command[2] else int(command[3])
            if wanted is None or not 1 <= wanted <= pages.count:
                where = (
                    "最后一页" if command[1] else "第一页" if command[2] else f"没有第 {wanted} 页"
                )
                _stderr(f"{'已是' if wanted is None else ''}{where}（共 {pages.count} 页）。")
                continue
            page = wanted
        elif command:
            _stderr("还没有检索：先输入检索词，再用 n、p 翻页。")
            continue
        else:
            query, page = line, 1
        pages = Pages(0, per_page, page)
        result = run(query, pages.offset)
        pages = Pages(result.total, per_page, page)
        _print_result(result, pages.offset)
        if pages.count > 1:
            steps = "、".join(
                step
                for step, shown in (("n 下一页", pages.next), ("p 上一页", pages.previous))
                if shown
            )
            print(f"\n第 {page}/{pages.count} 页；{steps}，g 页码 跳页")
        print()


def cmd_cases(args: argparse.Namespace) -> int:
    searcher, who = _open_searcher(args), None
    if searcher is not None:
        searcher, who = _as_viewer(args, searcher)
    if searcher is None:
        return 2
    result = searcher.cases(
        args.query or "",
        problems=args.problem,
        sanctions=args.sanction,
        levels=args.level,
        years=args.year,
        limit=args.limit,
    )
    _audit_trail(args, who, cases=True)(args.query or "", 0)
    for note in result.notes:
        _stderr(f"提示：{note}")
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
        return 0
    print(f"共 {result.total} 个案例")
    for number, case in enumerate(result.cases, 1):
        print(f"\n{number}. {case.summary}")
        who = "，".join(x for x in (case.unit, case.position, case.person) if x)
        print(f"   {who}（{case.level}）" if who else f"   （{case.level}）")
        if case.problems:
            print("   问题：" + "、".join(case.problems))
        if case.sanctions:
            print("   处理：" + "、".join(case.sanctions))
        if case.years:
            print("   年份：" + "、".join(str(y) for y in case.years))
        print(f"   出处：《{case.title}》 {case.path}")
        for other in case.also_in:
            print(f"   也见于：《{other['title']}》 {other['path']}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from web.serve import serve

    app = serve_app(args)
    if isinstance(app, int):
        return app
    server = args.server
    _stderr(f"检索服务已启动：http://{server.host}:{server.port}{server.prefix}/  （Ctrl+C 停止）")
    serve(app, server, log_folder=args.settings.instance_dir / LOG_FOLDER)
    return 0


def serve_app(args: argparse.Namespace):
    """The web app ``kb serve`` runs (a Flask app), or the exit status when it cannot start:
    builds the index on first start, repairs a damaged one, and settles which dictionaries
    the admin's index updates use (``--dict``, else see ``kb.live_dictionaries``)."""
    from indexer.isolated import update_in_child
    from kb.integrity import IndexDamaged
    from kb.live_dictionaries import Choice, dictionaries_for_updates
    from kb.upgrade import UPGRADE_NOTICE, format_behind
    from web import create_app

    if not 1 <= args.server.threads <= MAX_THREADS:
        _stderr(f"--threads 应在 1 到 {MAX_THREADS} 之间")
        return 2
    settings = args.settings
    docs = settings.corpus
    if not docs.is_dir():
        _stderr(f"文档文件夹不存在：{docs}")
        return 2
    given = settings.dictionaries
    if given is not None and not given.is_dir():
        _stderr(f"词典目录不存在：{given}")
        return 2
    try:
        settings = settings.with_instance()
    except InstanceError as error:
        _stderr(str(error))
        return 2
    instance = settings.instance_dir
    backend = settings.backend
    failures = _update_failures()
    try:
        if not backend.has_index():
            _stderr(f"首次启动：正在为 {docs} 建立索引（{backend.describe()}）……")
            # In a child process: the server keeps none of the build's memory.
            report = update_in_child(backend, [docs], given or DEFAULT_DICT, progress=_stderr)
            _stderr(f"索引完成：{len(report.added)} 个文件，{report.passages} 个段落。")
            for failure in report.failed:
                _stderr(f"  失败：{failure.path}：{failure.reason}")
        behind = format_behind(backend)
        choice = Choice(given) if given else dictionaries_for_updates(backend, instance)
        if choice.note:
            _stderr(choice.note)
        try:
            searcher = _readable_searcher(backend, behind)
        except IndexDamaged as error:  # repaired as kb index would, then served
            _stderr(f"{error} 正在重建……")
            update_in_child(backend, [docs], choice.folder, progress=_stderr)
            searcher = backend.open_searcher()
            behind = None
        except _Unreadable as error:  # an older kb's index this one cannot open
            _stderr(f"{behind}，本版本无法读取（{error}），先重建再启动……")
            update_in_child(backend, [docs], choice.folder, progress=_stderr)
            searcher = backend.open_searcher()
            behind = None
    except tuple(failures) as error:
        return _said(error, failures)
    args.settings = replace(settings, dictionaries=choice.folder)  # kb serve logs in its instance
    app = create_app(args.settings, searcher=searcher)
    if behind:  # the old generation answers meanwhile; the switch comes when it is done
        _stderr(f"{behind}：先用旧索引提供检索，同时在后台按新格式重建……")
        app.extensions["kb.admin_job"].start(
            "升级索引格式", notice=UPGRADE_NOTICE, echo=_stderr, done="索引格式升级完成"
        )
    return app


class _Unreadable(Exception):
    """The live index, written by an older kb, cannot be opened or searched by this one."""


def _readable_searcher(backend, behind: str | None):
    """The backend's searcher; for an older kb's index, one that has answered a query."""
    from kb.integrity import IndexDamaged
    from kb.view import EngineUnavailable

    if not behind:
        return backend.open_searcher()
    try:
        searcher = backend.open_searcher()
        searcher.search("通知", limit=1)
    except (IndexDamaged, EngineUnavailable):
        raise
    except Exception as error:
        log.warning("an index of an older format cannot be read", exc_info=True)
        raise _Unreadable(type(error).__name__) from error
    return searcher


PASSWORD_TRIES = 3  # entries refused by the rules before set-password gives up


def cmd_admin(args: argparse.Namespace) -> int:
    """`kb admin set-password`: the password of the web admin area (/admin)."""
    from web.auth import set_password

    try:
        instance = args.settings.with_instance().instance_dir
    except InstanceError as error:
        _stderr(str(error))
        return 2
    password = _new_password()
    if password is None:
        return 2
    path = set_password(instance, password)
    _stderr(
        f"管理密码已保存（加密散列）：{path}\n"
        "服务已在运行时刷新 /admin 页面即可登录；否则启动服务（kb serve 或 python dev.py run）后登录。"
    )
    return 0


def _new_password() -> str | None:
    """The admin password, typed twice at a terminal or read as one line from a pipe; None
    after saying why it cannot be used."""
    import getpass

    from web.auth import password_problem

    if sys.stdin.isatty():
        for _ in range(PASSWORD_TRIES):
            password = getpass.getpass("新的管理密码：")
            problem = password_problem(password)  # said now, not after typing it twice
            if not problem:
                break
            _stderr(problem)
        else:
            _stderr("没有保存。")
            return None
        if getpass.getpass("再输入一次：") != password:
            _stderr("两次输入的密码不一致，没有保存。")
            return None
    else:
        password = sys.stdin.readline().rstrip("\r\n")
        problem = password_problem(password)
        if problem:
            _stderr(f"{problem}没有保存。")
            return None
    return password


def cmd_init(args: argparse.Namespace) -> int:
    """`kb init DIR`: the instance folder a deployment lives in (see docs/deployment.md):
    a commented kb.toml, copies of the dictionaries to edit, the documents folder, the admin
    password. Refuses a non-empty folder that is not an instance; leaves an instance alone."""
    import shutil

    from kb.settings import (
        INSTANCE_DICT,
        INSTANCE_DOCS,
        INSTANCE_FILE,
        instance_file_text,
        instance_folder,
        is_instance,
    )
    from web.auth import ensure_private_folder, set_password, write_private

    try:
        folder = instance_folder(args.folder, ".")
    except InstanceError as error:
        _stderr(str(error))
        return 2
    if is_instance(folder):
        _stderr(
            f"{folder} 已经是 kb 的实例文件夹，没有改动任何文件。"
            f"设置见 {folder / INSTANCE_FILE}；改管理密码用 kb admin set-password --instance {folder}"
        )
        return 0
    if folder.exists() and not folder.is_dir():
        _stderr(f"{folder} 是一个文件，不是文件夹。请指定一个新的或空的文件夹。")
        return 2
    try:
        busy = folder.is_dir() and any(folder.iterdir())
    except OSError as error:
        _stderr(f"读不了文件夹 {folder}：{error.strerror or error}")
        return 2
    if busy:
        _stderr(
            f"文件夹 {folder} 不是空的，也不是 kb 的实例文件夹（没有 {INSTANCE_FILE}），"
            "没有改动。请指定一个新的或空的文件夹。"
        )
        return 2
    corpus = Path(args.corpus) if args.corpus else None
    if corpus is not None and args.sample:
        _stderr("--sample 把示例文件复制到实例文件夹的 docs/，不能与 --corpus 同时使用。")
        return 2
    if corpus is not None and not corpus.is_dir():
        _stderr(f"文档文件夹不存在：{corpus}")
        return 2
    password = None if args.no_password else _new_password()
    if password is None and not args.no_password:
        return 2
    existed = folder.is_dir()
    try:
        ensure_private_folder(folder)
        shutil.copytree(DEFAULT_DICT, folder / INSTANCE_DICT)
        if corpus is None and args.sample:
            shutil.copytree(DEFAULT_DOCS, folder / INSTANCE_DOCS)
        elif corpus is None:
            (folder / INSTANCE_DOCS).mkdir()
        if password is not None:
            set_password(folder, password)
        # Last: kb.toml marks a finished instance, so a failed init is never taken for one.
        write_private(
            folder / INSTANCE_FILE,
            instance_file_text(str(corpus.resolve()) if corpus else INSTANCE_DOCS),
        )
    except OSError as error:
        # The folder was new or empty: take back what this init wrote, nothing else.
        if existed:
            for entry in list(folder.iterdir()):
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    entry.unlink(missing_ok=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
        _stderr(f"没能建立实例文件夹 {folder}：{error.strerror or error}（没有留下任何文件）")
        return 5
    docs = corpus.resolve() if corpus else folder / INSTANCE_DOCS
    _stderr(
        f"实例文件夹已建立：{folder}\n"
        f"  设置：{folder / INSTANCE_FILE}\n  词典：{folder / INSTANCE_DICT}\n  文档：{docs}\n"
        + ("" if password else f"  管理密码未设置：kb admin set-password --instance {folder}\n")
        + f"下一步：kb index --instance {folder}，然后 kb serve --instance {folder}"
    )
    return 0


def _backend_options(parser: argparse.ArgumentParser, layout: bool = False) -> None:
    group = parser.add_argument_group("检索后端（默认内置 Whoosh；大规模部署用 OpenSearch）")
    group.add_argument(
        "--backend",
        choices=["whoosh", "opensearch"],
        default=None,
        help="whoosh（默认，或 $KB_BACKEND）或 opensearch",
    )
    group.add_argument(
        "--url",
        default=None,
        help="OpenSearch 地址，如 http://10.0.0.5:9200（或 $KB_OPENSEARCH_URL）",
    )
    group.add_argument(
        "--os-index", default=None, help="OpenSearch 上的索引名（默认 kb，或 $KB_OPENSEARCH_INDEX）"
    )
    if layout:
        group.add_argument(
            "--shards",
            type=int,
            default=None,
            help="新建索引的分片数（默认 1，或 $KB_OPENSEARCH_SHARDS）",
        )
        group.add_argument(
            "--replicas",
            type=int,
            default=None,
            help="副本数（默认 1，或 $KB_OPENSEARCH_REPLICAS）",
        )


def _viewer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as",
        dest="as_user",
        default=None,
        metavar="姓名",
        help="以网页账户的身份检索，只看到该账户可见的文件（默认：以管理员身份，看到全部）",
    )
    parser.add_argument(
        "--instance",
        default=None,
        help="实例文件夹（kb init 建立的读取其中的 kb.toml）；--as 的账户也在这里（默认 索引目录/../instance）",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kb", description="政策与会议文件检索知识库")
    commands = parser.add_subparsers(dest="command", required=True)

    index = commands.add_parser("index", help="建立或更新索引")
    index.add_argument("paths", nargs="*", help="文件或文件夹（默认：项目的 corpus/docs）")
    index.add_argument("--index", default=None, help="索引目录（默认 $KB_INDEX 或 ./.kb/index）")
    index.add_argument("--rebuild", action="store_true", help="完整重建索引")
    index.add_argument("--dict", default=None, help="词典目录（默认 corpus/dict）")
    index.add_argument(
        "--instance", default=None, help="实例文件夹（kb init 建立）：读取其中的 kb.toml"
    )
    _backend_options(index, layout=True)
    index.set_defaults(handler=cmd_index)

    watch = commands.add_parser("watch", help="监视文件夹，文件增删改后自动更新索引")
    watch.add_argument("paths", nargs="*", help="文件或文件夹（默认：项目的 corpus/docs）")
    watch.add_argument("--index", default=None, help="索引目录（默认 $KB_INDEX 或 ./.kb/index）")
    watch.add_argument(
        "--interval", type=float, default=2.0, help="检查间隔秒数（默认 2）；文件不再变化后才更新"
    )
    watch.add_argument("--dict", default=None, help="词典目录（默认 corpus/dict）")
    watch.add_argument(
        "--instance", default=None, help="实例文件夹（kb init 建立）：读取其中的 kb.toml"
    )
    _backend_options(watch)
    watch.set_defaults(handler=cmd_watch)

    search = commands.add_parser("search", help="检索")
    search.add_argument(
        "query",
        nargs="?",
        help="检索词；“-”表示从标准输入逐行读取，输出 JSON 行；省略时进入交互检索"
        "（n 下一页，p 上一页，g 页码 跳页，每页 --limit 条）",
    )
    search.add_argument("--index", default=None, help="索引目录（默认 $KB_INDEX 或 ./.kb/index）")
    search.add_argument("--limit", type=int, default=10, help="返回条数（默认 10）")
    search.add_argument("--offset", type=int, default=0, help="跳过前若干条（翻页）")
    search.add_argument("--per-doc", type=int, default=3, help="同一文件最多几条（0 表示不限）")
    search.add_argument("--json", action="store_true", help="输出 JSON")
    _viewer_options(search)
    _backend_options(search)
    search.set_defaults(handler=cmd_search)

    cases = commands.add_parser("cases", help="列出典型案例")
    cases.add_argument("query", nargs="?", help="在案例中检索的词（可省略）")
    cases.add_argument("--index", default=None, help="索引目录（默认 $KB_INDEX 或 ./.kb/index）")
    cases.add_argument("--problem", action="append", help="问题类别，如 违规吃喝（可重复）")
    cases.add_argument("--sanction", action="append", help="处理处分，如 开除党籍（可重复）")
    cases.add_argument("--level", action="append", help="干部层级，如 县处级（可重复）")
    cases.add_argument("--year", action="append", type=int, help="问题发生的年份（可重复）")
    cases.add_argument("--limit", type=int, default=1000, help="最多列出几个（默认 1000）")
    cases.add_argument("--json", action="store_true", help="输出 JSON")
    _viewer_options(cases)
    _backend_options(cases)
    cases.set_defaults(handler=cmd_cases)

    serve = commands.add_parser("serve", help="启动网页检索服务")
    serve.add_argument("--index", default=None, help="索引目录（默认 $KB_INDEX 或 ./.kb/index）")
    serve.add_argument("--host", default=None, help="监听地址（默认 127.0.0.1）")
    serve.add_argument("--port", type=int, default=None, help="端口（默认 8000）")
    serve.add_argument("--threads", type=int, default=None, help="处理请求的线程数（默认 8）")
    serve.add_argument(
        "--prefix", default=None, help="经反向代理以子路径发布时的网址前缀，如 /kb（默认无）"
    )
    serve.add_argument(
        "--proxy-fix",
        type=int,
        nargs="?",
        const=1,
        default=None,
        metavar="N",
        dest="proxies",
        help="前面有 N 层反向代理（默认 1）：按其 X-Forwarded-For/Proto/Host/Prefix 头生成网址",
    )
    serve.add_argument(
        "--corpus", default=None, help="文档文件夹，管理页面上传到这里（默认 corpus/docs）"
    )
    serve.add_argument(
        "--instance",
        default=None,
        help="实例文件夹：kb init 建立的，读取其中的 kb.toml；也存放管理密码、密钥等"
        "（默认 索引目录/../instance）",
    )
    serve.add_argument(
        "--dict",
        default=None,
        help="词典目录，管理页面“更新索引”时使用（默认：索引建立时所用的词典，"
        "与 corpus/dict 相同时即 corpus/dict；还没有索引时为 corpus/dict）",
    )
    _backend_options(serve, layout=True)
    serve.set_defaults(handler=cmd_serve)

    admin = commands.add_parser("admin", help="网页文件管理的设置")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    password = admin_commands.add_parser("set-password", help="设置管理密码（/admin 登录用）")
    password.add_argument("--index", default=None, help="索引目录（默认 $KB_INDEX 或 ./.kb/index）")
    password.add_argument(
        "--instance", default=None, help="实例文件夹（默认 索引目录/../instance）"
    )
    password.set_defaults(handler=cmd_admin)

    init = commands.add_parser(
        "init", help="建立实例文件夹（设置文件、可修改的词典、文档文件夹、管理密码）"
    )
    init.add_argument("folder", help="新的或空的文件夹，如 /srv/kb 或 D:\\kb")
    init.add_argument(
        "--corpus", default=None, help="已有的文档文件夹（默认：实例文件夹中新建的 docs/）"
    )
    init.add_argument("--sample", action="store_true", help="把示例文件复制到 docs/，先试一试")
    init.add_argument(
        "--no-password",
        action="store_true",
        help="暂不设置管理密码（以后用 kb admin set-password --instance 文件夹）",
    )
    init.set_defaults(handler=cmd_init)

    backup = commands.add_parser(
        "backup", help="备份：设置、词典、管理数据、移出的文件和当前索引（服务运行时也可以）"
    )
    backup.add_argument("out", help="备份文件，如 /backup/kb-20261207.zip")
    backup.add_argument(
        "--instance", default=None, help="实例文件夹（kb init 建立；默认 索引目录/../instance）"
    )
    backup.add_argument("--index", default=None, help="索引目录（默认 $KB_INDEX 或 ./.kb/index）")
    backup.add_argument("--corpus", default=None, help="文档文件夹")
    backup.add_argument(
        "--with-documents",
        action="store_true",
        help="把文档也放进备份（默认不放：文档由管理员保管）",
    )
    _backend_options(backup)
    backup.set_defaults(handler=cmd_backup)

    restore = commands.add_parser("restore", help="从 kb backup 的备份文件恢复到空文件夹")
    restore.add_argument("backup", help="kb backup 写出的 .zip")
    restore.add_argument("--instance", required=True, help="恢复到的实例文件夹（须为空或不存在）")
    restore.add_argument(
        "--index", default=None, help="索引目录（默认按备份中的 kb.toml，否则 实例文件夹/../index）"
    )
    restore.add_argument("--corpus", default=None, help="文档文件夹：文档现在（或将要）所在的位置")
    restore.set_defaults(handler=cmd_restore)
    return parser


def cmd_backup(args: argparse.Namespace) -> int:
    """`kb backup OUT.zip`: see indexer.backup; exit 5 when it cannot be written."""
    from indexer.backup import BackupError, write_backup

    settings = args.settings
    try:
        instance = settings.with_instance().instance_dir
    except InstanceError as error:
        _stderr(str(error))
        return 2
    index = settings.index if settings.backend.opensearch is None else None
    try:
        summary = write_backup(
            Path(args.out),
            instance,
            index,
            settings.corpus,
            documents=args.with_documents,
            progress=_stderr,
        )
    except BackupError as error:
        _stderr(str(error))
        return 5
    _stderr(
        f"备份完成：{summary.path}（{summary.files} 个文件，{summary.bytes / 1e6:.1f} MB；"
        f"索引 {summary.generation or '未包含'}；文档 {summary.documents} 个）"
    )
    for note in summary.notes:
        _stderr(f"  {note}")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """`kb restore BACKUP.zip --instance DIR`: into empty folders; the index goes where the
    backup's kb.toml (or --index) says, and is built again when the documents moved."""
    from indexer.backup import BackupError, restore_backup

    instance = Path(args.instance).resolve()
    try:
        index, corpus = _restore_places(Path(args.backup), instance, args.index, args.corpus)
        summary = restore_backup(Path(args.backup), instance, index, corpus, progress=_stderr)
    except (BackupError, InstanceError) as error:
        _stderr(str(error))
        return 2
    _stderr(f"已恢复到 {instance}" + (f"，索引 {index}" if summary.generation else ""))
    for note in summary.notes:
        _stderr(f"  {note}")
    if summary.moved_from and summary.documents and corpus is not None and index is not None:
        from indexer.update import update
        from kb.backend import Backend

        _stderr(f"正在按文档的新位置 {corpus} 建立索引……")
        report = update(
            Backend(index), [corpus], _restored_dictionaries(instance), progress=_stderr
        )
        _stderr(f"索引完成：{len(report.added)} 个文件，{report.passages} 个段落。")
    elif not summary.generation:
        _stderr(
            f"下一步：kb index --instance {instance}（建立索引），然后 kb serve --instance {instance}"
        )
    else:
        _stderr(f"下一步：kb serve --instance {instance}")
    return 0


def _restore_places(
    backup: Path, instance: Path, index: str | None, corpus: str | None
) -> tuple[Path | None, Path | None]:
    """Where the index and documents go: the options, else the backup's kb.toml (its
    relative folders now inside ``instance``), else the index beside the instance folder as
    kb's default layout has it (``index/../instance``)."""
    import tempfile
    import zipfile

    from kb.settings import INSTANCE_DOCS, INSTANCE_FILE, INSTANCE_INDEX, read_instance

    settings_file = None
    with contextlib.suppress(OSError, zipfile.BadZipFile, KeyError), zipfile.ZipFile(backup) as z:
        settings_file = z.read(f"instance/{INSTANCE_FILE}")
    if settings_file is None:
        return Path(index) if index else instance.parent / "index", (
            Path(corpus).resolve() if corpus else None
        )
    with tempfile.TemporaryDirectory() as temp:
        (Path(temp) / INSTANCE_FILE).write_bytes(settings_file)
        found = read_instance(temp)
        home = Path(temp).resolve()

        def here(path: Path | None, inside: str) -> Path:
            if path is None:
                return instance / inside
            return instance / path.relative_to(home) if path.is_relative_to(home) else path

        return (
            Path(index) if index else here(found.index, INSTANCE_INDEX),
            Path(corpus).resolve() if corpus else here(found.corpus, INSTANCE_DOCS),
        )


def _restored_dictionaries(instance: Path) -> Path:
    from kb.settings import INSTANCE_DICT, is_instance, read_instance

    if is_instance(instance):
        return read_instance(instance).dictionaries or instance / INSTANCE_DICT
    return DEFAULT_DICT


class _OneLineFormatter(logging.Formatter):
    """Errors kb logs reach a command-line user as one line (what failed and why), not as a
    traceback; the search itself answers with a Chinese message."""

    def format(self, record: logging.LogRecord) -> str:
        message = f"kb: {record.getMessage()}"
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message += f" ({type(error).__name__}: {error})"
        return message


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of each message."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _configure_logging() -> None:
    logger = logging.getLogger("kb")
    if any(isinstance(h.formatter, _OneLineFormatter) for h in logger.handlers):
        return  # main() may run many times in one process (tests)
    handler = _StderrHandler()
    handler.setFormatter(_OneLineFormatter())
    handler.setLevel(logging.WARNING)
    logger.addHandler(handler)


def main(argv: Sequence[str] | None = None) -> int:
    _configure_stdio()
    args = parse_args(argv)
    if args.handler is not cmd_serve:  # the server logs whole tracebacks (web.serve)
        _configure_logging()
    from kb.view import EngineUnavailable

    try:
        return args.handler(args)
    except EngineUnavailable as error:  # the cluster went away during the command
        _stderr(str(error))
        return 4
    except KeyboardInterrupt:  # Ctrl+C at a prompt or during a command
        _stderr("已取消。")
        return 130
    except BrokenPipeError:  # `kb search … | head`: the reader has what it wanted
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (Python flushes it at exit)
        return 0


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """The command line, checked and completed (default index, chosen backend), as
    ``main`` runs it; exits with a message on a bad option."""
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("limit", "offset", "per_doc"):
        if getattr(args, name, 0) is not None and getattr(args, name, 0) < 0:
            parser.error(f"--{name.replace('_', '-')} 不能为负数")
    if getattr(args, "limit", 1) == 0:
        parser.error("--limit 至少为 1")
    if args.command in ("init", "restore"):  # their folder is not an instance yet
        return args
    try:
        args.settings, args.server = _settings(args)
    except SettingsError as error:
        parser.error(str(error))
    except InstanceError as error:  # kb.toml unreadable or a value in it wrong
        parser.exit(2, f"{error}\n")
    return args


def _settings(args: argparse.Namespace) -> tuple[Settings, Server]:
    """The one Settings of this command (and how kb serve listens), by ``kb.settings.resolve``:
    options, else the instance's kb.toml, else the environment, else kb's defaults (documents
    and dictionaries the project's own; ``kb serve`` without ``--dict`` decides its
    dictionaries at start). ``--instance`` of kb serve and kb admin may also name a plain
    folder for the password and secret key, settled where it is used."""
    from kb.settings import is_instance, read_instance, resolve

    given = {
        name: getattr(args, name, None)
        for name in (
            "index",
            "backend",
            "url",
            "os_index",
            "shards",
            "replicas",
            "dict",
            "corpus",
            "instance",
            "host",
            "port",
            "threads",
            "prefix",
            "proxies",
        )
    }
    folder = given["instance"]
    plain = (
        args.command in ("serve", "admin", "backup", "search", "cases")
        and folder
        and not is_instance(folder)
    )
    instance = read_instance(folder) if folder and not plain else None
    if args.command == "admin":  # no backend options: the index folder alone
        given["backend"] = "whoosh"
    return resolve(args.command, given, instance)


if __name__ == "__main__":
    sys.exit(main())

"""What one deployment decided, settled once and handed down.

The command line (``kb.cli``) builds a ``Settings`` from its options and the environment; the
web app (``web.create_app``) takes one, or builds it from its mapping. Everything that needs
the index, the documents folder, the dictionaries or the instance folder reads them from
here, so no module works out a path on its own and ``kb index``, ``kb serve`` and the admin's
更新索引 agree on every folder.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from kb.backend import BACKENDS, Backend
from kb.resources import CODE_HOME, DEFAULT_DICT, DEFAULT_DOCS, in_source_tree

INDEX_ENV = "KB_INDEX"


class InstanceError(ValueError):
    """The instance folder cannot be used; the message says why, in Chinese."""


def default_index() -> Path:
    """``$KB_INDEX``, else ``./.kb/index``."""
    return Path(os.environ.get(INDEX_ENV) or Path(".kb") / "index")


def instance_folder(setting: str | os.PathLike | None, index: str | os.PathLike) -> Path:
    """The instance folder: the setting, else beside the index folder.

    Refuses a folder inside kb's code: in a checkout (except the ignored ``.kb``) a password
    hash or secret key could be committed by accident; in an installed kb (site-packages) the
    next upgrade or reinstall would take the deployment's data with it.
    """
    folder = Path(setting) if setting else Path(index).resolve().parent / "instance"
    folder = folder.resolve()
    if not folder.is_relative_to(CODE_HOME):
        return folder
    if not in_source_tree():
        raise InstanceError(
            f"实例文件夹 {folder} 在 kb 的安装目录中，升级或重装 kb 时会被删掉。"
            "请用 --instance 指定别的文件夹（如 /srv/kb 或 D:\\kb）。"
        )
    if not folder.is_relative_to(CODE_HOME / ".kb"):
        raise InstanceError(
            f"实例文件夹 {folder} 在项目代码目录中，密码和密钥可能被提交。"
            "请用 --instance 指定代码目录以外的文件夹（或放在 .kb/ 下）。"
        )
    return folder


@dataclass(frozen=True)
class Settings:
    """``backend`` says where the index is (its ``index`` folder also keeps this machine's
    state); ``corpus`` is the documents folder (the admin uploads there; None: uploads off);
    ``dictionaries`` the folder index updates read (None for ``kb serve``: decided at start,
    see ``kb.live_dictionaries``); ``instance`` the folder of password, secret key and
    reports, checked and filled in by ``with_instance`` for the commands that keep secrets."""

    backend: Backend
    corpus: Path | None = None
    dictionaries: Path | None = None
    instance: Path | None = None

    @property
    def index(self) -> Path:
        return self.backend.index

    @property
    def instance_dir(self) -> Path:
        """The settled instance folder (the web app's settings always have one)."""
        if self.instance is None:
            raise InstanceError("还没有确定实例文件夹（Settings.with_instance）。")
        return self.instance

    def with_instance(self, setting: str | os.PathLike | None = None) -> Settings:
        """The same settings with the instance folder settled (``setting``, else the one
        given, else beside the index). Raises InstanceError."""
        chosen = setting if setting is not None else self.instance
        return replace(self, instance=instance_folder(chosen, self.index))

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> Settings:
        """From Flask-style keys: ``INDEX`` or ``BACKEND``, ``CORPUS``, ``DICT``, ``INSTANCE``;
        the instance folder settled. Raises InstanceError."""
        backend = config.get("BACKEND")
        if backend is None:
            index = _path(config.get("INDEX"))
            if index is None:
                raise KeyError("INDEX")
            backend = Backend(Path(index))
        if not isinstance(backend, Backend):
            raise TypeError("BACKEND must be a kb.backend.Backend")
        corpus, dictionaries = _path(config.get("CORPUS")), _path(config.get("DICT"))
        return cls(
            backend,
            corpus=Path(corpus).resolve() if corpus else None,
            dictionaries=Path(dictionaries) if dictionaries else None,
        ).with_instance(_path(config.get("INSTANCE")))


def _path(value: object) -> str | os.PathLike | None:
    if value is None or isinstance(value, str | os.PathLike):
        return value
    raise TypeError(f"a folder setting must be a path, not {type(value).__name__}")


# --- the instance folder a deployment lives in (kb init, --instance) --------------------------

INSTANCE_FILE = "kb.toml"  # marks a folder as an instance made by kb init
LOG_FOLDER = "logs"  # kb serve's rotating log (kb.log) in the instance folder
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_THREADS = 8
MAX_THREADS = 256
# The folders kb init lays out; relative paths in kb.toml are relative to the instance folder.
INSTANCE_DOCS, INSTANCE_INDEX, INSTANCE_DICT = "docs", "index", "dict"


@dataclass(frozen=True)
class Server:
    """How ``kb serve`` listens: address, port, request threads; ``prefix`` is the path a
    reverse proxy serves kb under (``/kb``; empty: the site root) and ``proxies`` how many
    proxies in front of kb set X-Forwarded-* headers that may be trusted (0: none)."""

    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    threads: int = DEFAULT_THREADS
    prefix: str = ""
    proxies: int = 0


@dataclass(frozen=True)
class InstanceFile:
    """What an instance's kb.toml says; None: not set there (then the environment or kb's
    default applies). Paths are absolute (relative ones are read against ``folder``)."""

    folder: Path
    corpus: Path | None = None
    index: Path | None = None
    dictionaries: Path | None = None
    backend: str | None = None
    url: str | None = None
    os_index: str | None = None
    shards: int | None = None
    replicas: int | None = None
    host: str | None = None
    port: int | None = None
    threads: int | None = None
    prefix: str | None = None
    proxies: int | None = None


# key in kb.toml -> (field of InstanceFile, kind, what the Chinese message calls it)
_TOP_KEYS = {
    "corpus": ("corpus", "path", "文档文件夹"),
    "index": ("index", "path", "索引目录"),
    "dictionaries": ("dictionaries", "path", "词典目录"),
    "backend": ("backend", "backend", "检索后端"),
}
_TABLES = {
    "server": {
        "host": ("host", "text", "监听地址"),
        "port": ("port", (1, 65535), "端口"),
        "threads": ("threads", (1, MAX_THREADS), "线程数"),
        "prefix": ("prefix", "prefix", "网址前缀"),
        "proxies": ("proxies", (0, 10), "反向代理层数"),
    },
    "opensearch": {
        "url": ("url", "text", "OpenSearch 地址"),
        "index": ("os_index", "text", "OpenSearch 索引名"),
        "shards": ("shards", (1, 1024), "分片数"),
        "replicas": ("replicas", (0, 16), "副本数"),
    },
}
_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def is_instance(folder: str | os.PathLike) -> bool:
    """Whether ``folder`` is an instance folder made by ``kb init`` (it has kb.toml)."""
    return (Path(folder) / INSTANCE_FILE).is_file()


def read_instance(folder: str | os.PathLike) -> InstanceFile:
    """The settings file of the instance ``folder``, checked; raises InstanceError saying,
    in Chinese, which line or value is wrong."""
    folder = Path(folder).resolve()
    path = folder / INSTANCE_FILE
    if not path.is_file():
        raise InstanceError(
            f"{folder} 不是 kb 的实例文件夹（没有 {INSTANCE_FILE}）。"
            f"请先运行 kb init {folder} 建立它。"
        )
    try:
        text = path.read_text(encoding="utf-8-sig")  # Windows Notepad may add a BOM
    except UnicodeDecodeError:
        raise InstanceError(f"设置文件 {path} 不是 UTF-8 编码，请另存为 UTF-8。") from None
    except OSError as error:
        raise InstanceError(f"读不了设置文件 {path}：{error.strerror or error}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = _POSITION.search(str(error))
        at = f"第 {where.group(1)} 行第 {where.group(2)} 列附近" if where else "某处"
        raise InstanceError(
            f"设置文件 {path} {at}的写法有误。每项写成 名称 = 值，文字和路径加英文双引号"
            "（Windows 路径写作 \"D:/kb/docs\" 或 'D:\\kb\\docs'），# 之后是注释。"
        ) from None
    values: dict[str, object] = {}
    for key, value in data.items():
        if key in _TABLES:
            if not isinstance(value, dict):
                raise InstanceError(f"设置文件 {path} 中 [{key}] 应是一节设置，不是一个值。")
            for inner, item in value.items():
                known = _TABLES[key]
                if inner not in known:
                    raise InstanceError(_unknown(path, f"[{key}] 中的 {inner}", known))
                field, kind, label = known[inner]
                values[field] = _checked(path, f"[{key}] {inner}", label, kind, item, folder)
        elif key in _TOP_KEYS:
            field, kind, label = _TOP_KEYS[key]
            values[field] = _checked(path, key, label, kind, value, folder)
        else:
            raise InstanceError(_unknown(path, key, {**_TOP_KEYS, **_TABLES}))
    return InstanceFile(folder, **values)  # type: ignore[arg-type]


def _unknown(path: Path, key: str, known: Mapping[str, object]) -> str:
    return f"设置文件 {path} 中有不认识的设置项 {key}（可用的有：{'、'.join(known)}）。"


def _checked(path: Path, key: str, label: str, kind: object, value: object, folder: Path) -> object:
    """One value of kb.toml in the form Settings needs, or InstanceError."""
    shown = f"设置文件 {path} 中的 {key}（{label}）"
    if isinstance(kind, tuple):
        low, high = kind
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InstanceError(f"{shown}应是 {low} 到 {high} 之间的整数，现在是 {value!r}。")
        return value
    if kind == "prefix" and isinstance(value, str):
        return _prefix(value, shown)
    if not isinstance(value, str) or not value.strip():
        raise InstanceError(f"{shown}应是加英文双引号的文字，现在是 {value!r}。")
    value = value.strip()
    if kind == "path":
        return (folder / Path(value).expanduser()).resolve()
    if kind == "backend":
        name = value.lower()
        if name not in BACKENDS:
            raise InstanceError(f"{shown}只能是 {' 或 '.join(BACKENDS)}，现在是 {value!r}。")
        return name
    return value


def _prefix(value: str, shown: str) -> str:
    """A URL prefix as the app mounts it: ``/kb`` (no trailing slash); ``/`` is none."""
    prefix = "/" + value.strip().strip("/")
    if prefix == "/":
        return ""
    if any(c in prefix for c in "?#%\\ \t") or "//" in prefix:
        raise InstanceError(f"{shown}应是形如 /kb 的路径，现在是 {value!r}。")
    return prefix


def url_prefix(value: str) -> str:
    """A URL prefix from the command line (``--prefix``), checked as in kb.toml."""
    return _prefix(value, "--prefix（网址前缀）")


def resolve(
    command: str, given: Mapping[str, object], instance: InstanceFile | None
) -> tuple[Settings, Server]:
    """The settings of one command: each value from the command line (``given``, keyed by
    option name; None: not given), else the instance's kb.toml, else the environment
    ($KB_INDEX, $KB_BACKEND, $KB_OPENSEARCH_*), else kb's default. With an instance its
    folders default to ``docs``, ``index`` and ``dict`` inside it. ``kb serve`` without an
    instance or ``--dict`` leaves the dictionaries to be decided at start (None)."""

    def pick(name: str, field: str | None = None) -> Any:
        value = given.get(name)
        if value is None and instance is not None:
            value = getattr(instance, field or name)
        return value

    def folder(name: str, field: str, inside: str) -> Path | None:
        value = given.get(name)
        if value is not None:
            return Path(str(value))
        if instance is None:
            return None
        return getattr(instance, field) or instance.folder / inside

    index = folder("index", "index", INSTANCE_INDEX) or default_index()
    backend = Backend.choose(
        index, pick("backend"), pick("url"), pick("os_index"), pick("shards"), pick("replicas")
    )
    dictionaries = folder("dict", "dictionaries", INSTANCE_DICT)
    if dictionaries is None and command != "serve":
        dictionaries = DEFAULT_DICT
    corpus = folder("corpus", "corpus", INSTANCE_DOCS)
    chosen_instance = given.get("instance")
    settings = Settings(
        backend,
        corpus=corpus.resolve() if corpus else DEFAULT_DOCS,
        dictionaries=dictionaries,
        instance=Path(str(chosen_instance)) if chosen_instance else None,
    )
    prefix = given.get("prefix")
    server = Server(
        host=_given(pick("host"), DEFAULT_HOST),
        port=_given(pick("port"), DEFAULT_PORT),
        threads=_given(pick("threads"), DEFAULT_THREADS),  # out of range: kb serve says so
        prefix=url_prefix(str(prefix)) if prefix is not None else _given(pick("prefix"), ""),
        proxies=_given(pick("proxies"), 0),
    )
    return settings, server


def _given(value: Any, default: Any) -> Any:
    """``value`` unless it was not given (None); 0 is a value (``--threads 0`` is refused)."""
    return default if value is None else value


def instance_file_text(corpus: str = INSTANCE_DOCS) -> str:
    """The commented kb.toml ``kb init`` writes (``corpus``: the documents folder as the
    admin gave it). Every line a setting's default, so the file explains itself."""
    return f"""# kb 实例设置（kb init 生成）。改动后重新启动 kb serve 生效。
# 写法：名称 = 值；文字和路径加英文双引号，# 之后是注释。相对路径相对于本文件所在的文件夹。
# Windows 路径写作 "D:/公文/政策文件"，或用单引号 'D:\\公文\\政策文件'。
# 命令行上给出的选项优先于本文件（如 kb serve --instance 本文件夹 --port 9000）。

# 文档文件夹：kb index 为其中的文件建立索引；管理页面上传的文件也保存在这里。
corpus = {_toml_string(corpus)}

# 索引目录（内置索引）。用 OpenSearch 时这里只存放本机的缓存。
index = "{INSTANCE_INDEX}"

# 词典目录：kb init 复制了 kb 自带的词典，可以修改、增补（写法见各文件开头的说明）。
# 改动后运行 kb index --instance 本文件夹，或在管理页面点“更新索引”。
dictionaries = "{INSTANCE_DICT}"

# 检索后端："whoosh"（内置，适合一台机器）或 "opensearch"（见下面的 [opensearch]）。
backend = "whoosh"

[server]
# 监听地址："127.0.0.1" 只允许本机访问（前面有反向代理时用它）；"0.0.0.0" 允许内网其他电脑访问。
host = "{DEFAULT_HOST}"
port = {DEFAULT_PORT}
# 同时处理请求的线程数（1 到 {MAX_THREADS}）。
threads = {DEFAULT_THREADS}
# 经反向代理（如 nginx）以子路径发布时的网址前缀，如 "/kb"；直接访问时留空。
prefix = ""
# 前面有几层反向代理（它们设置 X-Forwarded-For/Proto/Host/Prefix 头）；没有代理时必须为 0。
proxies = 0

[opensearch]
# 仅当 backend = "opensearch" 时使用。多个节点用英文逗号分隔。
# url = "http://10.0.0.5:9200,http://10.0.0.6:9200"
# index = "kb"
# shards = 1
# replicas = 1

# 本文件夹里还有：{INSTANCE_DICT}/ 词典，{INSTANCE_INDEX}/ 索引，{LOG_FOLDER}/ 运行日志，
# admin-password（管理密码的散列）、secret-key、session-generation（网页登录），
# removed/（管理页面移出的文件）、index-dict/、上次索引报告。请勿放进代码目录，注意备份。
"""


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string (Windows paths keep their backslashes)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'

"""Settings in one place (issue 13, item 4): one frozen object per command or app, every folder
read from it, no module working out a path of its own."""

from __future__ import annotations

import dataclasses
import io
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kb import cli
from kb import settings as kb_settings
from kb.backend import Backend
from kb.resources import CODE_HOME, DEFAULT_DICT, DEFAULT_DOCS
from kb.settings import InstanceError, Server, Settings, read_instance
from web import create_app
from web.auth import check_password
from web.state import SETTINGS


def test_the_command_line_builds_one_frozen_settings_object(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_INDEX", raising=False)
    monkeypatch.delenv("KB_BACKEND", raising=False)
    index = cli.parse_args(["index", "--index", str(tmp_path / "i")]).settings
    assert index == Settings(
        Backend(tmp_path / "i"), corpus=DEFAULT_DOCS, dictionaries=DEFAULT_DICT
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        index.corpus = tmp_path  # type: ignore[misc]

    # kb serve takes the same --dict as kb index; without it the dictionaries are decided at
    # start from the live index (None here), never silently the project's.
    given = ["serve", "--index", str(tmp_path / "i"), "--dict", str(tmp_path / "d")]
    assert cli.parse_args(given).settings.dictionaries == tmp_path / "d"
    assert cli.parse_args(["serve", "--index", str(tmp_path / "i")]).settings.dictionaries is None
    served = cli.parse_args(["serve", "--corpus", str(tmp_path / "c"), "--index", "x"]).settings
    assert served.corpus == (tmp_path / "c").resolve() and served.index == Path("x")

    monkeypatch.setenv("KB_INDEX", str(tmp_path / "from-env"))
    assert cli.parse_args(["search", "词"]).settings.index == tmp_path / "from-env"


def test_the_instance_folder_is_settled_where_it_is_used_and_never_in_the_source_tree(tmp_path):
    settings = Settings(Backend(tmp_path / "index"))
    assert settings.instance is None
    with pytest.raises(InstanceError):
        settings.instance_dir  # noqa: B018 (the property refuses an unsettled folder)
    assert settings.with_instance().instance_dir == (tmp_path / "instance").resolve()
    assert settings.with_instance(tmp_path / "mine").instance_dir == (tmp_path / "mine").resolve()
    with pytest.raises(InstanceError, match="项目代码目录"):
        settings.with_instance(CODE_HOME / "instance")
    # kb index inside a checkout needs no instance folder, so it is not refused.
    assert cli.parse_args(["index", "--index", str(CODE_HOME / "idx")]).settings.instance is None


def test_create_app_keeps_kb_folders_in_its_settings_not_in_flask_config(tmp_path, corpus_index):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    app = create_app(
        {
            "INDEX": str(corpus_index),
            "CORPUS": str(corpus),
            "DICT": str(DEFAULT_DICT),
            "INSTANCE": str(tmp_path / "instance"),
            "PAGE_SIZE": 3,
        }
    )
    settings = app.extensions[SETTINGS]
    assert settings == Settings(
        Backend(Path(str(corpus_index))),
        corpus=corpus.resolve(),
        dictionaries=DEFAULT_DICT,
        instance=(tmp_path / "instance").resolve(),
    )
    assert app.config["PAGE_SIZE"] == 3
    assert not {"INDEX", "CORPUS", "DICT", "INSTANCE", "BACKEND", "SEARCHER"} & set(app.config)
    # The same app from a Settings object, as kb serve builds it.
    again = create_app(settings, config={"PAGE_SIZE": 3})
    assert again.extensions[SETTINGS] is settings
    assert again.test_client().get("/api/search?q=四风").status_code == 200


# Where a module could work out a folder on its own: its own file's location, the index's
# environment variable, the default index folder, or kb's folder keys in Flask's config.
_PATH_OWNERS = {"kb/resources.py", "kb/settings.py"}
_COMPUTES_A_PATH = re.compile(
    r"Path\(__file__\)|os\.path\.dirname\(__file__\)|[\"']KB_INDEX[\"']|\"\.kb\""
    r"|config(?:\.get\(|\[)\"(?:INDEX|CORPUS|DICT|INSTANCE|BACKEND)\""
)


def test_no_module_but_the_owners_computes_kb_folders():
    offenders = []
    for package in ("kb", "indexer", "web"):
        for path in sorted((CODE_HOME / package).rglob("*.py")):
            name = path.relative_to(CODE_HOME).as_posix()
            if name in _PATH_OWNERS:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _COMPUTES_A_PATH.search(line):
                    offenders.append(f"{name}:{number}: {line.strip()}")
    assert offenders == []


def test_the_path_check_can_fail():
    assert _COMPUTES_A_PATH.search('corpus = current_app.config.get("CORPUS")')
    assert _COMPUTES_A_PATH.search("ROOT = Path(__file__).resolve().parents[1]")
    assert _COMPUTES_A_PATH.search('os.environ.get("KB_INDEX")')


# --- kb init and the instance's kb.toml (issue 17, item 2) ----------------------------------


def _kb(monkeypatch, capsys, *argv: str, stdin: str = "") -> tuple[int, str]:
    """``kb`` in this process with ``stdin`` piped in: exit status and what it said."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    try:
        status = cli.main(list(argv))
    except SystemExit as stop:  # argparse and a bad kb.toml end this way
        status = stop.code if isinstance(stop.code, int) else 2
    captured = capsys.readouterr()
    return status, captured.out + captured.err


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


def test_kb_init_lays_out_an_instance_with_dictionaries_to_edit_and_the_password(
    tmp_path, monkeypatch, capsys
):
    site = tmp_path / "site"
    status, said = _kb(monkeypatch, capsys, "init", str(site), stdin="很长很长的管理密码\n")
    assert status == 0, said
    assert "实例文件夹已建立" in said and f"kb serve --instance {site}" in said
    assert _files(site / "dict") == _files(DEFAULT_DICT)  # copies to edit
    assert (site / "docs").is_dir() and not any((site / "docs").iterdir())
    assert check_password(site, "很长很长的管理密码") and not check_password(site, "别的")
    text = (site / "kb.toml").read_text(encoding="utf-8")
    assert text.count("\n# ") > 10  # commented for the admin who edits it
    assert tomllib.loads(text)["server"]["port"] == 8000

    # Every folder of the deployment comes from it, relative to the instance folder.
    monkeypatch.chdir(tmp_path.parent)
    monkeypatch.setenv("KB_INDEX", str(tmp_path / "not-this"))
    args = cli.parse_args(["serve", "--instance", str(site)])
    assert args.settings == Settings(
        Backend(site.resolve() / "index"),
        corpus=site.resolve() / "docs",
        dictionaries=site.resolve() / "dict",
        instance=site,
    )
    assert args.server == Server()
    for command in ("index", "watch", "cases", "search"):
        assert cli.parse_args([command, "--instance", str(site)]).settings == args.settings
    status, said = _kb(
        monkeypatch,
        capsys,
        "admin",
        "set-password",
        "--instance",
        str(site),
        stdin="另一个很长的密码啊\n",
    )
    assert status == 0 and check_password(site, "另一个很长的密码啊"), said

    # Again: an instance is left as it is (exit 0), nothing asked, nothing rewritten.
    before = _files(site)
    status, said = _kb(monkeypatch, capsys, "init", str(site))
    assert status == 0 and "已经是 kb 的实例文件夹" in said
    assert _files(site) == before


def test_kb_init_refuses_what_it_must_not_touch_and_writes_nothing_then(
    tmp_path, monkeypatch, capsys
):
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "工作.txt").write_text("别人的文件", encoding="utf-8")
    status, said = _kb(monkeypatch, capsys, "init", str(busy), stdin="很长很长的管理密码\n")
    assert status == 2 and "不是空的，也不是 kb 的实例文件夹" in said
    assert _files(busy) == {"工作.txt": "别人的文件".encode()}

    status, said = _kb(monkeypatch, capsys, "init", str(tmp_path / "short"), stdin="123\n")
    assert status == 2 and "密码至少要" in said and not (tmp_path / "short").exists()

    status, said = _kb(monkeypatch, capsys, "init", str(CODE_HOME / "inst"), "--no-password")
    assert status == 2 and "实例文件夹" in said and not (CODE_HOME / "inst").exists()

    status, said = _kb(monkeypatch, capsys, "init", str(busy / "工作.txt"), "--no-password")
    assert status == 2 and "是一个文件" in said

    status, said = _kb(
        monkeypatch, capsys, "init", str(tmp_path / "x"), "--corpus", str(tmp_path / "无")
    )
    assert status == 2 and "文档文件夹不存在" in said and not (tmp_path / "x").exists()


def test_kb_init_with_an_existing_documents_folder_or_the_sample(tmp_path, monkeypatch, capsys):
    documents = tmp_path / "公文 D"
    documents.mkdir()
    status, said = _kb(
        monkeypatch,
        capsys,
        "init",
        str(tmp_path / "a"),
        "--corpus",
        str(documents),
        "--no-password",
    )
    assert status == 0, said
    assert "管理密码未设置" in said and not (tmp_path / "a" / "admin-password").exists()
    assert not (tmp_path / "a" / "docs").exists()
    assert read_instance(tmp_path / "a").corpus == documents.resolve()

    status, said = _kb(
        monkeypatch, capsys, "init", str(tmp_path / "b"), "--sample", "--no-password"
    )
    assert status == 0, said
    assert _files(tmp_path / "b" / "docs") == _files(DEFAULT_DOCS)
    status, said = _kb(
        monkeypatch, capsys, "init", str(tmp_path / "c"), "--sample", "--corpus", str(documents)
    )
    assert status == 2 and "--sample" in said


def _instance(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kb.toml").write_text(text, encoding="utf-8")
    return folder


def test_the_command_line_overrides_the_file_which_overrides_the_environment(tmp_path, monkeypatch):
    site = _instance(
        tmp_path / "site",
        'index = "i2"\ncorpus = "../公文"\ndictionaries = "/srv/词典"\n'
        '[server]\nhost = "0.0.0.0"\nport = 9001\nthreads = 4\nprefix = "kb/"\nproxies = 1\n',
    )
    monkeypatch.setenv("KB_INDEX", str(tmp_path / "env-index"))
    monkeypatch.setenv("KB_BACKEND", "opensearch")  # the file says nothing: the environment
    monkeypatch.setenv("KB_OPENSEARCH_URL", "http://127.0.0.1:9")
    args = cli.parse_args(["serve", "--instance", str(site)])
    assert args.settings.index == site.resolve() / "i2"  # the file, not $KB_INDEX
    assert args.settings.corpus == (tmp_path / "公文").resolve()
    assert args.settings.dictionaries == Path("/srv/词典").resolve()
    assert args.settings.backend.name == "opensearch"
    assert args.server == Server(host="0.0.0.0", port=9001, threads=4, prefix="/kb", proxies=1)

    given = ["--index", str(tmp_path / "cli"), "--port", "9100", "--prefix", "/", "--backend"]
    args = cli.parse_args(["serve", "--instance", str(site), *given, "whoosh", "--proxy-fix"])
    assert args.settings.index == tmp_path / "cli" and args.settings.backend.name == "whoosh"
    assert args.server == Server(host="0.0.0.0", port=9100, threads=4, prefix="", proxies=1)
    assert (
        cli.parse_args(["serve", "--instance", str(site), "--proxy-fix", "2"]).server.proxies == 2
    )
    with pytest.raises(SystemExit) as stopped:
        cli.parse_args(["serve", "--prefix", "/a b"])
    assert stopped.value.code == 2
    assert cli.parse_args(["serve", "--instance", str(site), "--threads", "0"]).server.threads == 0
    assert cli.serve_app(cli.parse_args(["serve", "--threads", "0"])) == 2  # refused at once

    _instance(site, 'backend = "whoosh"\n[opensearch]\nurl = "http://10.0.0.5:9200"\n')
    assert cli.parse_args(["search", "--instance", str(site)]).settings.backend.name == "whoosh"
    _instance(site, 'backend = "opensearch"\n[opensearch]\nurl = "http://10.0.0.5:9200"\n')
    chosen = cli.parse_args(["search", "--instance", str(site)]).settings.backend
    assert chosen.opensearch is not None and chosen.opensearch.url == "http://10.0.0.5:9200"

    # Without an instance nothing changes: options, then the environment.
    monkeypatch.delenv("KB_BACKEND")
    assert cli.parse_args(["index"]).settings.index == tmp_path / "env-index"
    assert cli.parse_args(["serve"]).server == Server()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('index = "i"\nport 8000\n', "第 2 行第 6 列附近的写法有误"),
        ("corpus = D:\\docs\n", "第 1 行"),
        ('[server]\nport = "8000"\n', "[server] port（端口）应是 1 到 65535 之间的整数"),
        ("[server]\nport = 70000\n", "1 到 65535"),
        ("[server]\nthreads = 0\n", "线程数）应是 1 到 256"),
        ("[server]\nproxies = true\n", "反向代理层数"),
        ('[server]\nprefix = "/a b"\n', "形如 /kb"),
        ('backend = "elastic"\n', "只能是 whoosh 或 opensearch"),
        ('corpus = ""\n', "corpus（文档文件夹）应是加英文双引号的文字"),
        ('indx = "i"\n', "不认识的设置项 indx"),
        ('[server]\nport = 1\nname = "x"\n', "[server] 中的 name"),
        ('server = "x"\n', "[server] 应是一节设置"),
        ('backend = "opensearch"\n[opensearch]\nurl = "10.0.0.5"\n', "http:// 或 https://"),
    ],
)
def test_a_wrong_settings_file_is_named_in_chinese_with_exit_2(
    tmp_path, monkeypatch, capsys, text, expected
):
    monkeypatch.delenv("KB_OPENSEARCH_URL", raising=False)
    site = _instance(tmp_path / "site", text)
    status, said = _kb(monkeypatch, capsys, "index", "--instance", str(site))
    assert status == 2
    assert expected in said and "Traceback" not in said


def test_settings_files_in_other_encodings_or_missing_are_explained(tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    site.mkdir()
    (site / "kb.toml").write_bytes('# 设置\nindex = "索引"\n'.encode("gbk"))
    status, said = _kb(monkeypatch, capsys, "search", "--instance", str(site), "词")
    assert status == 2 and "不是 UTF-8 编码" in said
    (site / "kb.toml").write_bytes('\ufeffindex = "索引"\n'.encode())  # Notepad's BOM
    assert read_instance(site).index == site.resolve() / "索引"

    plain = tmp_path / "plain"
    plain.mkdir()
    status, said = _kb(monkeypatch, capsys, "index", "--instance", str(plain))
    assert status == 2 and "不是 kb 的实例文件夹" in said and "kb init" in said
    # kb serve and kb admin keep taking a plain folder for the password and secret key.
    assert cli.parse_args(["serve", "--instance", str(plain)]).settings.instance == plain


def test_a_wrong_settings_file_stops_the_real_command_without_a_traceback(tmp_path):
    site = _instance(tmp_path / "site", "[server]\nport = 0\n")
    script = Path(sys.executable).with_name("kb")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "kb.cli"]
    done = subprocess.run(
        [*command, "serve", "--instance", str(site)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 2
    assert "端口" in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_the_installed_layout_keeps_instance_folders_out_of_site_packages(monkeypatch, tmp_path):
    monkeypatch.setattr(kb_settings, "in_source_tree", lambda: False)
    monkeypatch.setattr(kb_settings, "CODE_HOME", tmp_path / "site-packages")
    with pytest.raises(InstanceError, match="安装目录"):
        kb_settings.instance_folder(tmp_path / "site-packages" / "kb-data", "i")
    assert kb_settings.instance_folder(tmp_path / "srv", "i") == (tmp_path / "srv").resolve()


def test_kb_init_that_cannot_write_says_why_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    import shutil

    real = shutil.copytree

    def full_disk(source, target, *args, **kwargs):
        if Path(target).name == "docs":
            raise OSError(28, "No space left on device")
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(shutil, "copytree", full_disk)
    status, said = _kb(
        monkeypatch, capsys, "init", str(tmp_path / "new"), "--sample", "--no-password"
    )
    assert status == 5 and "没能建立实例文件夹" in said and "Traceback" not in said
    assert not (tmp_path / "new").exists()
    (tmp_path / "empty").mkdir()
    status, said = _kb(
        monkeypatch, capsys, "init", str(tmp_path / "empty"), "--sample", "--no-password"
    )
    assert status == 5 and list((tmp_path / "empty").iterdir()) == []


def test_kb_init_on_a_folder_it_cannot_read_says_so(tmp_path, monkeypatch, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()

    def refused(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "iterdir", refused)
    status, said = _kb(monkeypatch, capsys, "init", str(locked), "--no-password")
    assert status == 2 and "读不了文件夹" in said and "Traceback" not in said

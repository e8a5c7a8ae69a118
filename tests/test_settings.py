"""Settings in one place (issue 13, item 4): one frozen object per command or app, every folder
read from it, no module working out a path of its own."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from kb import cli
from kb.backend import Backend
from kb.resources import CODE_HOME, DEFAULT_DICT, DEFAULT_DOCS
from kb.settings import InstanceError, Settings
from web import create_app
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

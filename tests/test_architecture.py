"""The import structure holds (``.importlinter``; docs/ARCHITECTURE.md explains it): web and
indexer build on kb, kb (but kb.cli) imports neither, indexer never imports web, web uses
indexer only where the contract names it, and no package has an import cycle inside.

import-linter reads the source and runs nothing, offline. Each contract is also shown to fail:
the same contracts, renamed onto a small fake tree shaped like kb's, break on the fake tree
as soon as one bad import is added to it."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / ".importlinter"
PACKAGES = ("kb", "indexer", "web")
_fresh = itertools.count()

LAYERS = "Layers"
WEB_INDEXER = "only to update the index"
ACYCLIC = "No import cycles"


def lint(config: Path, capsys, monkeypatch) -> tuple[int, str]:
    from importlinter import cli

    # lint_imports configures logging with dictConfig, which disables every logger that
    # exists (kb.web, kb.admin ...) for the tests that run after this one in the process.
    monkeypatch.setattr(cli, "_configure_logging", lambda verbose: None)
    code = cli.lint_imports(config_filename=str(config), no_cache=True, no_logo=True)
    return code, capsys.readouterr().out


def broken(output: str) -> str:
    """The part of import-linter's report that lists broken contracts ("" if none)."""
    return output.partition("Broken contracts")[2]


def test_the_source_keeps_every_contract(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))  # lint_imports adds the cwd; undone after the test
    code, output = lint(CONFIG, capsys, monkeypatch)
    assert code == 0, output
    assert "3 kept, 0 broken" in output, output


# --- each contract can fail -------------------------------------------------------------------

# A tree shaped like kb's, with the imports the contracts allow (kb.cli's, web's use of
# indexer in the admin and uploads).
# "{p}" is the prefix that renames kb, indexer and web for one test.
FAKE_TREE = {
    "kb/__init__.py": "",
    "kb/model.py": "",
    "kb/search.py": "from {p}kb import model\n",
    "kb/analysis.py": "def __getattr__(name):\n    from {p}kb.engines.whoosh import analysis\n",
    "kb/engines/__init__.py": "",
    "kb/engines/whoosh/__init__.py": "",
    "kb/engines/whoosh/analysis.py": "from {p}kb import analysis\n",
    "kb/cli.py": (
        "def main():\n"
        "    from {p}indexer import store, update, watch\n"
        "    from {p}web import create_app\n"
        "    from {p}web.serve import serve\n"
    ),
    "indexer/__init__.py": "",
    "indexer/sidecar.py": "",
    "indexer/store.py": "from {p}kb import model\nfrom {p}indexer.readers import read_file\n",
    "indexer/update.py": "from {p}indexer import store\n",
    "indexer/watch.py": "from {p}indexer import update\n",
    "indexer/isolated.py": "from {p}indexer import update\n",
    "indexer/readers/__init__.py": "from {p}indexer.readers.formats import READERS\n",
    "indexer/readers/formats.py": "from {p}kb import model\n",
    "indexer/readers/text.py": "",
    "indexer/readers/docx.py": "from {p}indexer.readers.formats import read_as\n",
    "indexer/readers/legacy.py": "from {p}indexer.readers.formats import read_as\n",
    "web/__init__.py": "from {p}web.app import create_app\n",
    "web/state.py": "",
    "web/serve.py": "",
    "web/auth.py": "",
    "web/app.py": (
        "from {p}kb import search\n"
        "from {p}web.state import searcher\n"
        "def create_app():\n"
        "    from {p}web.views import admin, cases, requirements, search\n"
    ),
    "web/uploads.py": (
        "from {p}indexer.readers import READERS\n"
        "from {p}indexer.readers.text import decode_text\n"
        "from {p}indexer.sidecar import is_side_file\n"
    ),
    "web/views/__init__.py": "",
    "web/views/search.py": "from {p}web.state import searcher\n",
    "web/views/admin.py": (
        "from {p}web import uploads\n"
        "from {p}web.state import searcher\n"
        "def update():\n"
        "    from {p}indexer.store import IndexBusy\n"
        "    from {p}indexer.update import update\n"
        "    from {p}indexer.isolated import update_in_child\n"
    ),
    "web/views/cases.py": "from {p}web.state import searcher\n",
    "web/views/requirements.py": "from {p}web.state import searcher\n",
}

_NAME = re.compile(r"(?<![\w.])(" + "|".join(PACKAGES) + r")\b")


def fake_project(tmp_path: Path, monkeypatch, changes: dict[str, str]) -> Path:
    """The fake tree with ``changes`` (path -> text appended; None deletes the file), and
    the real contracts renamed onto it; returns the config file."""
    prefix = f"archfake{next(_fresh)}_"
    files = {path: text for path, text in FAKE_TREE.items()}
    for path, text in changes.items():
        if text is None:
            files[path] = ""
        else:
            files[path] = files.get(path, "") + text
    for path, text in files.items():
        target = tmp_path / (prefix + path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text.format(p=prefix), encoding="utf-8")
    config = tmp_path / "contracts.ini"
    text = CONFIG.read_text(encoding="utf-8")
    config.write_text(_NAME.sub(lambda m: prefix + m.group(1), text), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    return config


def test_the_fake_tree_keeps_the_contracts(tmp_path, monkeypatch, capsys):
    code, output = lint(fake_project(tmp_path, monkeypatch, {}), capsys, monkeypatch)
    assert code == 0, output


BAD_IMPORTS = {
    "kb imports web": ({"kb/search.py": "import {p}web.app\n"}, LAYERS),
    "kb imports indexer inside a function": (
        {"kb/model.py": "def f():\n    from {p}indexer import store\n"},
        LAYERS,
    ),
    "indexer imports web": ({"indexer/store.py": "from {p}web import state\n"}, LAYERS),
    "a view starts an index update": (
        {"web/views/search.py": "from {p}indexer.update import update\n"},
        WEB_INDEXER,
    ),
    "a view imports web.app": (
        {"web/views/search.py": "from {p}web.app import create_app\n"},
        ACYCLIC,
    ),
    "docx and legacy import each other": (
        {
            "indexer/readers/docx.py": "from {p}indexer.readers import legacy\n",
            "indexer/readers/legacy.py": "from {p}indexer.readers import docx\n",
        },
        ACYCLIC,
    ),
    "a cycle inside kb": (
        {"kb/model.py": "def f():\n    from {p}kb import search\n"},
        ACYCLIC,
    ),
}


@pytest.mark.parametrize("case", BAD_IMPORTS, ids=list(BAD_IMPORTS))
def test_a_bad_import_breaks_its_contract(case, tmp_path, monkeypatch, capsys):
    changes, contract = BAD_IMPORTS[case]
    code, output = lint(fake_project(tmp_path, monkeypatch, changes), capsys, monkeypatch)
    assert code != 0, output
    assert contract in broken(output), output


def test_an_exception_that_is_no_longer_needed_is_reported(tmp_path, monkeypatch, capsys):
    """When kb.cli stops importing indexer, its ignore line is reported as stale, so an
    exception is deleted rather than left to hide a new import."""
    config = fake_project(tmp_path, monkeypatch, {"kb/cli.py": None})
    code, output = lint(config, capsys, monkeypatch)
    assert code != 0, output
    assert "No matches for ignored import" in output and "cli -> " in output, output


def test_linting_leaves_the_loggers_of_kb_working(monkeypatch, capsys):
    import logging

    logger = logging.getLogger("kb.web")
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    lint(CONFIG, capsys, monkeypatch)
    assert not logger.disabled


def test_light_modules_load_no_engine():
    """``import kb.model`` (or the numbering rules) does not load Whoosh or jieba: a reader,
    an export or a tool that only needs kb's records starts at once."""
    import subprocess
    import sys

    code = (
        "import sys, kb, kb.model, kb.numbering, kb.results; "
        "print(sorted(m for m in ('whoosh', 'jieba') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"


def test_the_search_core_and_the_planner_load_no_engine():
    """kb.search (SearchCore) and kb.planner work on kb's plan (kb.plan) and kb.view: no
    engine library is loaded by them (the engines are under kb/engines and kb/engines/opensearch)."""
    import subprocess
    import sys

    code = (
        "import sys, kb.search, kb.planner, kb.plan, kb.view; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('whoosh', 'opensearchpy')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"

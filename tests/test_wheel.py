"""kb as an installed package (issue 17, item 1): the wheel built from this checkout,
installed with pip into a new virtual environment outside the checkout (its dependencies
resolved by pip from the package source this machine uses, as dev.py installs them), indexes,
searches and serves the sample documents and dictionaries it carries, and runs a deployment
made by ``kb init``. Nothing of the checkout is on the installed kb's path."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from kb.resources import CHECKOUT, DEFAULT_DOCS, PACKAGED_DATA

pytestmark = pytest.mark.skipif(CHECKOUT is None, reason="builds the wheel from a checkout")

# What the wheel is built from: the packages, the build files and the data setup.py ships.
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "kb", "indexer", "web")
QUERY = "违规吃喝"


def _run(command: list[str | Path], cwd: Path, **kwargs) -> subprocess.CompletedProcess:
    """A process that sees none of this checkout: no PYTHONPATH, a folder outside it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run(
        [str(c) for c in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        **kwargs,
    )


def _ok(completed: subprocess.CompletedProcess) -> str:
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    return completed.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """kb's wheel, built with pip from a copy of the checkout (no build/ left in it)."""
    assert CHECKOUT is not None
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in SOURCES:
        origin = CHECKOUT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name, ignore=ignore)
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    shutil.copytree(CHECKOUT / "corpus", source / "corpus", ignore=ignore)
    dist = work / "dist"
    _ok(_run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", dist, source], work))
    (built,) = dist.glob("kb-*-py3-none-any.whl")
    return built


@pytest.fixture(scope="module")
def kb_command(wheel, tmp_path_factory) -> Path:
    """The ``kb`` script of a fresh venv (no system site-packages) with the wheel installed
    by ``pip install`` — dependencies included."""
    home = tmp_path_factory.mktemp("installed")
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(home / "venv")
    bin_dir = home / "venv" / ("Scripts" if os.name == "nt" else "bin")
    python = bin_dir / ("python.exe" if os.name == "nt" else "python")
    _ok(_run([python, "-m", "pip", "install", "--quiet", wheel], home))
    return bin_dir / ("kb.exe" if os.name == "nt" else "kb")


def test_the_wheel_carries_templates_static_files_dictionaries_and_the_sample(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "web/templates/search.html" in names and "web/static/kb.css" in names
    data = f"kb/{PACKAGED_DATA}"
    assert f"{data}/dict/case_taxonomy.txt" in names
    assert f"{data}/dict/lexicon/words.txt" in names
    shipped = {n for n in names if n.startswith(f"{data}/docs/")}
    assert shipped == {f"{data}/docs/{p.name}" for p in DEFAULT_DOCS.iterdir()}
    # Developers' material stays out of the wheel.
    assert not any(n.startswith(("tests/", "corpus/", "bench/")) for n in names)
    assert not any("make_formats" in n or "/sources/" in n for n in names)


def test_the_installed_kb_indexes_searches_and_serves_outside_the_checkout(kb_command, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    python = kb_command.with_name(Path(sys.executable).name)
    where = _ok(
        _run([python, "-c", "import kb, web; print(kb.__file__); print(web.__file__)"], elsewhere)
    )
    assert CHECKOUT is not None
    for line in where.split():
        assert Path(line).is_relative_to(kb_command.parents[1])  # inside the venv
        assert not Path(line).is_relative_to(CHECKOUT)

    # kb index with no paths: the sample documents inside the installed package.
    indexed = _ok(_run([kb_command, "index", "--index", "idx"], elsewhere))
    documents = [p for p in DEFAULT_DOCS.iterdir() if p.suffix not in (".json", ".csv")]
    assert indexed.startswith(f"新增 {len(documents)}，") and "失败 0" in indexed
    found = json.loads(
        _ok(_run([kb_command, "search", "--index", "idx", "--json", QUERY], elsewhere))
    )
    assert found["total"] > 0
    packaged = Path(found["hits"][0]["path"])
    assert packaged.is_relative_to(kb_command.parents[1])
    assert packaged.parent.parent.name == PACKAGED_DATA

    # A deployment: kb init with the sample, kb index/search/serve --instance.
    said = _run([kb_command, "init", "site", "--sample"], elsewhere, input="管理密码12345\n")
    assert said.returncode == 0, said.stderr
    assert (elsewhere / "site" / "kb.toml").is_file()
    assert (elsewhere / "site" / "dict" / "topics.txt").is_file()
    _ok(_run([kb_command, "index", "--instance", "site"], elsewhere))
    listed = _ok(_run([kb_command, "search", "--instance", "site", "--json", QUERY], elsewhere))
    assert json.loads(listed)["total"] == found["total"]

    page, search, css = _served(kb_command, elsewhere, ["--instance", "site"])
    assert "政策与会议文件检索" in page
    assert found["hits"][0]["title"] in search
    assert "body" in css
    log = (elsewhere / "site" / "logs" / "kb.log").read_text(encoding="utf-8")
    assert "GET /?q=" in log


def _served(kb_command: Path, cwd: Path, arguments: list[str]) -> tuple[str, str, str]:
    """The front page, a search page and the style sheet from ``kb serve``, then stopped."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    console = cwd / "serve-console.txt"
    with console.open("w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [str(kb_command), "serve", *arguments, "--port", str(port)],
            cwd=cwd,
            env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # until it answers (or gives up); no time is asserted
            try:
                with urllib.request.urlopen(base + "/", timeout=5) as answer:
                    front = answer.read().decode("utf-8")
                break
            except OSError:
                assert process.poll() is None, console.read_text(encoding="utf-8")
                time.sleep(0.2)
        else:
            pytest.fail("kb serve did not answer: " + console.read_text(encoding="utf-8"))
        with urllib.request.urlopen(f"{base}/?q={urllib.parse.quote(QUERY)}", timeout=60) as answer:
            search = answer.read().decode("utf-8")
        with urllib.request.urlopen(base + "/static/kb.css", timeout=10) as answer:
            css = answer.read().decode("utf-8")
        return front, search, css
    finally:
        process.terminate()
        process.wait(timeout=30)

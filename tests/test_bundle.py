"""The offline bundle (issue 17, item 3): built for Linux x86_64 and this Python, installed
by its install.sh with the network cut (a new network namespace: only loopback), then kb
indexes, searches and serves a search there. Root is needed for ``unshare -n``; elsewhere
the test skips and says why."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "corpus" / "docs"
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"


def _netns_ok() -> str | None:
    """Why the network cannot be cut here, or None when it can."""
    if sys.platform != "linux":
        return "只在 Linux 上能切断网络（unshare -n）"
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "没有 unshare 或 ip 命令"
    probe = subprocess.run(["unshare", "-n", "ip", "link", "set", "lo", "up"], capture_output=True)
    if probe.returncode != 0:
        return f"unshare -n 不可用（需要 root）：{probe.stderr.decode(errors='replace').strip()}"
    return None


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "deploy" / "bundle.py"),
            "--target",
            "linux-x86_64",
            "--python",
            PYTHON,
            "--extra",
            "opensearch",
            "--zip",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    (folder,) = out.glob("kb-offline-*/")
    return folder


def test_the_bundle_holds_what_it_says(bundle: Path) -> None:
    names = {p.name for p in (bundle / "wheels").iterdir()}
    assert any(n.startswith("kb-") and n.endswith("-py3-none-any.whl") for n in names)
    for project in ("jieba-", "Whoosh_Reloaded-", "flask-", "waitress-", "lxml-", "numpy-"):
        assert any(n.startswith(project) for n in names), project
    assert not any(n.startswith("opensearch_py-") for n in names)  # an optional part
    extra = {p.name for p in (bundle / "extras" / "opensearch").iterdir()}
    assert any(n.startswith("opensearch_py-") for n in extra)
    assert not extra & names  # the extra's folder keeps only what the base lacks
    assert not (bundle / "extras" / "ocr").exists()  # not asked for
    described = json.loads((bundle / "targets.json").read_text(encoding="utf-8"))
    assert described["targets"] == ["linux-x86_64"] and described["pythons"] == [PYTHON]
    for name in ("install.sh", "install.bat", "安装说明.txt"):
        assert "@VERSION@" not in (bundle / name).read_text(encoding="utf-8")
    assert (bundle / "install.bat").read_bytes().count(b"\r\n") > 10  # cmd wants CRLF
    assert os.access(bundle / "install.sh", os.X_OK)
    archive = bundle.parent / f"{bundle.name}.zip"
    assert f"{bundle.name}/install.sh" in zipfile.ZipFile(archive).namelist()


def test_install_sh_refuses_bad_options_in_chinese(bundle: Path, tmp_path: Path) -> None:
    for argv, said in (
        (["--with", "gpu"], "不认识的可选部分"),
        (["--with", "ocr"], "本安装包没有可选部分 ocr"),
        (["--with"], "--with 后面要写可选部分"),
    ):
        run = subprocess.run(
            ["bash", str(bundle / "install.sh"), str(tmp_path / "env"), *argv],
            capture_output=True,
            text=True,
        )
        assert run.returncode == 2 and said in run.stderr, (argv, run.stderr)
        assert not (tmp_path / "env").exists()


SCRIPT = r"""
set -euo pipefail
ip link set lo up
if python3 -c 'import urllib.request; urllib.request.urlopen("https://pypi.org", timeout=5)' 2>/dev/null; then
  echo "the network is not cut" >&2; exit 9
fi
PYTHON="$KB_PYTHON" bash "$BUNDLE/install.sh" "$WORK/env" --with opensearch
cd "$WORK"
"$WORK/env/bin/kb" index "$WORK/docs" --index "$WORK/index"
"$WORK/env/bin/kb" search 八项规定 --index "$WORK/index" > "$WORK/search.txt"
"$WORK/env/bin/kb" serve --index "$WORK/index" --corpus "$WORK/docs" --instance "$WORK/inst" \
  --port 8765 > "$WORK/serve.log" 2>&1 &
server=$!
"$WORK/env/bin/python" - <<'PY' > "$WORK/api.json"
import sys, time, urllib.request
for _ in range(240):
    try:
        with urllib.request.urlopen(
            "http://127.0.0.1:8765/api/search?q=%E5%85%AB%E9%A1%B9%E8%A7%84%E5%AE%9A", timeout=5
        ) as answer:
            sys.stdout.write(answer.read().decode("utf-8"))
            break
    except OSError:
        time.sleep(0.5)
else:
    sys.exit("no answer from kb serve")
PY
kill "$server"
"$WORK/env/bin/python" -c 'import kb, opensearchpy; print(kb.__file__)' > "$WORK/where.txt"
"""


def test_installed_with_the_network_cut_it_indexes_searches_and_serves(bundle, tmp_path):
    why = _netns_ok()
    if why:
        pytest.skip(why)
    docs = tmp_path / "docs"
    docs.mkdir()
    for path in sorted(SAMPLE.glob("*.txt"))[:8]:
        shutil.copy2(path, docs / path.name)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "BUNDLE": str(bundle),
        "WORK": str(tmp_path),
        "KB_PYTHON": sys.executable,
        # What this machine's pip would otherwise use: install.sh must ignore all of it.
        "PIP_FIND_LINKS": os.environ.get("PIP_FIND_LINKS", "/opt/wheels"),
        "PIP_INDEX_URL": "https://pypi.org/simple",
    }
    run = subprocess.run(
        ["unshare", "-n", "bash", "-c", SCRIPT], env=env, capture_output=True, text=True
    )
    log = (
        (tmp_path / "serve.log").read_text(encoding="utf-8")
        if (tmp_path / "serve.log").exists()
        else ""
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:] + log[-2000:]
    assert "共" in (tmp_path / "search.txt").read_text(encoding="utf-8")
    answer = json.loads((tmp_path / "api.json").read_text(encoding="utf-8"))
    assert answer["total"] > 0
    where = (tmp_path / "where.txt").read_text(encoding="utf-8")
    assert str(tmp_path / "env") in where  # the installed kb, not this checkout

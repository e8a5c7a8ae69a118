"""Set up and run kb with nothing but Python: `python dev.py run | test | bench`.

Creates `.venv` beside this file, installs kb with its pinned dependencies (again only when
pyproject.toml changes), then:

  run    builds the index of corpus/docs (first start) or brings it up to date, then serves
         the web app at http://127.0.0.1:8000/; extra arguments go to `kb serve`
  test   ruff (lint and format check) and the whole pytest suite, with Debian's chromium,
         antiword and LibreOffice and a local OpenSearch server for the tests that need them;
         extra arguments go to pytest. Without chromium, the converters, ../shared/realdocs
         or OpenSearch their tests skip; under CI=true
         the run stops instead (and such a test fails rather than skips)
  bench  the benchmarks in bench/ (they need ../shared/realdocs), figures in BENCHMARKS.md
  bundle the offline bundle for an intranet (deploy/bundle.py): kb's wheel and every pinned
         dependency for Linux x86_64/aarch64 and Windows x86_64, install.sh and install.bat;
         needs the package index once, here; `bundle --help` for its options

Works the same on Linux and Windows; uses only the standard library.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
KB = BIN / ("kb.exe" if os.name == "nt" else "kb")
# The main job reads scans too (the ocr extra); the tests and benchmarks need more.
EXTRAS = {
    "run": "[ocr]",
    "test": "[test]",
    "bench": "[test,bench]",
    "bundle": "[ocr,opensearch]",  # the versions the bundle pins are the ones installed here
}


def call(*args: str | Path) -> None:
    completed = subprocess.run([str(a) for a in args], cwd=ROOT)
    if completed.returncode:
        sys.exit(completed.returncode)


def ensure_environment(extras: str) -> None:
    if not PYTHON.exists():
        print("Creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".installed{extras.strip('[]').replace(',', '-') or '-base'}"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print(f"Installing kb{extras} and its pinned dependencies ...", flush=True)
    call(
        PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", f".{extras}"
    )
    stamp.write_text(wanted)


def in_ci() -> bool:
    """CI=true (or 1/yes/on), as tests/conftest.py reads it: there a test whose prerequisite
    (chromium, ../shared/realdocs, OpenSearch) is missing fails instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes", "on")


def ensure_browser() -> None:
    """The browser tests drive Debian's chromium (no browser download). Install it where we
    can (Debian or Ubuntu as root); elsewhere those tests skip and say why (under CI they
    fail, so CI stops here at once)."""
    import shutil

    def found() -> bool:
        return bool(
            os.environ.get("KB_CHROMIUM")
            or shutil.which("chromium")
            or shutil.which("chromium-browser")
        )

    if found():
        return
    if os.name != "nt" and shutil.which("apt-get") and os.geteuid() == 0:
        print("Installing chromium and a Chinese font for the browser tests ...", flush=True)
        apt_install("chromium", "fonts-wqy-microhei")
        if found():
            return
    if in_ci():
        sys.exit("chromium could not be installed, and CI must run the browser tests")
    print(
        "chromium is missing; the browser tests will be skipped "
        "(sudo apt-get install chromium fonts-wqy-microhei, or set KB_CHROMIUM)",
        flush=True,
    )


def ensure_converters() -> None:
    """The tests of old Office and WPS files (.doc .wps .xls .et) convert real files with
    Debian's antiword and LibreOffice (Writer for documents, Calc for workbooks). Install
    them where we can (Debian or Ubuntu as root); elsewhere those tests skip and say why
    (under CI they fail, so CI stops here at once)."""
    import shutil

    def missing() -> list[str]:
        found = {"antiword": shutil.which("antiword"), "soffice": shutil.which("soffice")}
        lacking = [name for name, path in found.items() if not path]
        if found["soffice"] and not calc_installed():
            lacking.append("LibreOffice Calc")
        return lacking

    if not missing():
        return
    if os.name != "nt" and shutil.which("apt-get") and os.geteuid() == 0:
        print(
            "Installing antiword and LibreOffice for the tests of old Office files ...", flush=True
        )
        apt_install("antiword", "libreoffice-writer-nogui", "libreoffice-calc-nogui")
        if not missing():
            return
    if in_ci():
        sys.exit(f"{', '.join(missing())} could not be installed, and CI must run those tests")
    print(
        f"{', '.join(missing())} missing; the tests of .doc/.wps/.xls/.et files will be skipped "
        "(sudo apt-get install antiword libreoffice-writer-nogui libreoffice-calc-nogui)",
        flush=True,
    )


def calc_installed() -> bool:
    """LibreOffice Calc beside the soffice on PATH (Debian ships Writer and Calc apart)."""
    import shutil

    soffice = shutil.which("soffice")
    if not soffice:
        return False
    program = Path(os.path.realpath(soffice)).parent
    return any(program.glob("*sclo.*"))  # libsclo.so, sclo.dll


CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


def ensure_cjk_font() -> None:
    """tests/test_ocr.py renders Chinese pages with this font (the browser tests use it too);
    installed where we can, else those tests skip and say why."""
    import shutil

    if not CJK_FONT.is_file() and shutil.which("apt-get") and os.geteuid() == 0:
        apt_install("fonts-wqy-microhei")


def ensure_network_tools() -> None:
    """tests/test_bundle.py installs the offline bundle with the network cut: a new network
    namespace (unshare, util-linux) whose loopback it brings up (ip, iproute2). Installed
    where we can; elsewhere (not root, not Linux) that test skips and says why."""
    import shutil

    lacking = [package for tool, package in (("unshare", "util-linux"), ("ip", "iproute2"))
               if not shutil.which(tool)]  # fmt: skip
    if lacking and sys.platform == "linux" and shutil.which("apt-get") and os.geteuid() == 0:
        apt_install(*lacking)


def check_realdocs() -> None:
    """The tests on real documents need ../shared/realdocs beside the checkout."""
    if (ROOT.parent / "shared" / "realdocs" / "docs").is_dir():
        return
    if in_ci():
        sys.exit("../shared/realdocs is missing, and CI must run the tests on real documents")
    print("../shared/realdocs is missing; the tests on real documents will be skipped")


def apt_install(*packages: str) -> None:
    """Debian packages a test needs; failures show in apt's output and the tests then skip."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], cwd=ROOT, env=env, check=False)
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    subprocess.run(install, cwd=ROOT, env=env, check=False)


def ensure_opensearch() -> None:
    """The OpenSearch backend's tests need a real server (tools/opensearch/server.py fetches
    OpenSearch 2.5.0 with npm and checks its sha512). Where that cannot be done (not Linux
    x86_64, no npm and no root to install it), those tests skip and say why."""
    import platform
    import shutil

    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        print("OpenSearch tests will be skipped: the test server runs on Linux x86_64 only")
        return
    if not shutil.which("npm"):
        if os.geteuid() != 0 or not shutil.which("apt-get"):
            print("OpenSearch tests will be skipped: npm is missing (sudo apt-get install npm)")
            return
        print("Installing npm (it fetches the OpenSearch test server) ...", flush=True)
        apt_install("npm")
    completed = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "opensearch" / "server.py"), "install"], cwd=ROOT
    )
    if completed.returncode:
        if in_ci():  # CI must prove the OpenSearch backend, not skip it
            sys.exit("OpenSearch could not be installed for the tests")
        print("OpenSearch could not be installed; its tests will be skipped", flush=True)


def main(argv: list[str]) -> None:
    command = argv[0] if argv else "run"
    if command not in EXTRAS:
        sys.exit(__doc__)
    ensure_environment(EXTRAS[command])
    rest = argv[1:]
    if command == "run":
        call(KB, "index")  # builds the index the first time, applies changes after that
        call(KB, "serve", *rest)
    elif command == "test":
        ensure_browser()
        ensure_converters()
        ensure_cjk_font()
        ensure_network_tools()
        check_realdocs()
        ensure_opensearch()
        call(PYTHON, "-m", "ruff", "check", ".")
        call(PYTHON, "-m", "ruff", "format", "--check", ".")
        call(PYTHON, "-m", "mypy")  # kb, indexer and web (pyproject.toml, [tool.mypy])
        # The slowest tests listed: the per-test timeout (pyproject.toml) must stay well above.
        call(PYTHON, "-m", "pytest", "--durations=10", *rest)
    elif command == "bundle":
        sys.path.insert(0, str(ROOT / "deploy"))
        import bundle

        bundle.main(rest, PYTHON)
    else:
        for script in (
            "quality",
            "latency",
            "speed",
            "incremental",
            "cases",
            "metadata",
            "requirements",
            "robustness",
        ):
            call(PYTHON, f"bench/{script}.py")
        print("The load test (about 15 minutes, installs wrk): .venv/bin/python bench/load.py")


if __name__ == "__main__":
    main(sys.argv[1:])

"""The offline bundle (`python3 dev.py bundle`): kb for a 机关 intranet without a package index.

Writes ``dist/kb-offline-<version>/``:

    wheels/            kb's wheel and every dependency, for each target platform and Python
    extras/ocr/        the wheels only the OCR part needs (install.sh --with ocr)
    extras/opensearch/ the OpenSearch client (install.sh --with opensearch)
    install.sh, install.bat, 安装说明.txt, targets.json

Dependencies are pinned to the versions of the environment that built the bundle (the one
the tests ran in): ``pip freeze`` is the constraint for every target. Wheels of pure-Python
projects published only as source (jieba) are built once here; platform wheels come from the
package index for each target. Only the standard library is used, as in dev.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHONS = ("3.11", "3.12", "3.13")
# The oldest release of each that the bundle installs on (Requires-Python is checked against
# it): Debian 12 ships 3.11.2.
OLDEST = {"3.11": "3.11.2", "3.12": "3.12.0", "3.13": "3.13.0"}
# Not pinned to this environment's version, whose Requires-Python excludes an OLDEST above
# (soupsieve 2.8 and later want 3.11.5): pip takes the newest that installs on each target.
RELAXED = ("soupsieve",)
GLIBC_MINORS = range(28, 16, -1)  # Kylin V10, UOS 20, CentOS/openEuler: glibc >= 2.28 down to 2.17
TARGETS = {
    "linux-x86_64": [f"manylinux_2_{minor}_x86_64" for minor in GLIBC_MINORS]
    + ["manylinux2014_x86_64"],
    # 信创 machines on Kunpeng and Phytium
    "linux-aarch64": [f"manylinux_2_{minor}_aarch64" for minor in GLIBC_MINORS]
    + ["manylinux2014_aarch64"],
    "windows-x86_64": ["win_amd64"],
}
EXTRAS = ("ocr", "opensearch")
# pip download evaluates environment markers on the machine that runs it, not the target's:
# a dependency only Windows needs (click's and tqdm's colorama) would be left out. These are
# the markers' values on each target, for marker_only_requirements.
MARKERS = {
    "linux-x86_64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                     "platform_machine": "x86_64"},
    "linux-aarch64": {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix",
                      "platform_machine": "aarch64"},
    "windows-x86_64": {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt",
                       "platform_machine": "AMD64"},
}  # fmt: skip
# Run by the environment's Python: the requirements of kb's closure whose markers hold on the
# target (given as JSON on stdin) but not here, so pip download must be asked for them.
_MARKER_PROBE = """
import json, sys
from importlib.metadata import PackageNotFoundError, distribution
from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name

target, extras = json.load(sys.stdin)
seen, wanted, queue = set(), {}, [(Requirement("kb"), tuple(extras))]
while queue:
    requirement, chosen = queue.pop()
    name = canonicalize_name(requirement.name)
    if (name, chosen) in seen:
        continue
    seen.add((name, chosen))
    try:
        dist = distribution(requirement.name)
    except PackageNotFoundError:
        continue
    for text in dist.requires or []:
        child = Requirement(text)
        def holds(env):
            if child.marker is None:
                return True
            return any(child.marker.evaluate({**env, "extra": e}) for e in ("", *chosen))
        here = holds({})
        there = holds(target)
        if there:
            queue.append((child, tuple(sorted(child.extras))))
        if there and not here:
            wanted[canonicalize_name(child.name)] = str(Requirement(text)).split(";")[0].strip()
print(json.dumps(sorted(wanted.values())))
"""
TEMPLATES = Path(__file__).resolve().parent / "offline"


def project_version() -> str:
    import tomllib

    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    completed = subprocess.run([str(a) for a in args], cwd=ROOT, env=env)
    if completed.returncode:
        sys.exit(f"打包失败：{args[2] if len(args) > 2 else args[0]} 返回 {completed.returncode}")


def pins(python: Path, scratch: Path) -> Path:
    """The versions this environment runs, as a constraints file (kb itself left out)."""
    frozen = subprocess.run(
        [str(python), "-m", "pip", "freeze", "--exclude-editable", "--disable-pip-version-check"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    lines = [
        line
        for line in frozen
        if "==" in line and line.split("==")[0].lower() not in ("kb", *RELAXED)
    ]
    path = scratch / "constraints.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def marker_only_requirements(
    python: Path, target: str, version: str, extras: list[str]
) -> list[str]:
    """What the target needs that this machine's markers leave out (e.g. colorama on
    Windows), as requirements for pip download."""
    environment = {
        **MARKERS[target],
        "python_version": version,
        "python_full_version": OLDEST[version],
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
    }
    found = subprocess.run(
        [str(python), "-c", _MARKER_PROBE],
        input=json.dumps([environment, extras]),
        capture_output=True,
        text=True,
        check=True,
    )
    return list(json.loads(found.stdout))


def build(
    python: Path,
    out: Path,
    targets: list[str],
    pythons: list[str],
    extras: list[str],
    make_zip: bool,
) -> Path:
    version = project_version()
    folder = out / f"kb-offline-{version}"
    if folder.exists():
        shutil.rmtree(folder)
    wheels = folder / "wheels"
    wheels.mkdir(parents=True)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    with tempfile.TemporaryDirectory(prefix="kb-bundle-") as temp:
        scratch = Path(temp)
        constraints = pins(python, scratch)
        run(python, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", wheels, ROOT, env=env)
        (kb_wheel,) = wheels.glob("kb-*.whl")
        # Everything for this machine, so that projects published only as source become
        # wheels; the pure ones (py3-none-any) serve every target.
        local = scratch / "local"
        every = f"{kb_wheel}[{','.join(EXTRAS)}]"
        run(python, "-m", "pip", "wheel", "--quiet", "-w", local, "-c", constraints, every, env=env)
        pure = scratch / "pure"
        pure.mkdir()
        for wheel in local.glob("*-none-any.whl"):
            shutil.copy2(wheel, pure / wheel.name)
        for target in targets:
            for version_ in pythons:
                platforms = [arg for tag in TARGETS[target] for arg in ("--platform", tag)]
                for extra, dest in [("", wheels)] + [(e, folder / "extras" / e) for e in extras]:
                    requirement = f"{kb_wheel}[{extra}]" if extra else str(kb_wheel)
                    more = marker_only_requirements(
                        python, target, version_, [extra] if extra else []
                    )
                    print(f"== {target} Python {version_} {extra or '基本部分'}", flush=True)
                    run(
                        python,
                        "-m",
                        "pip",
                        "download",
                        "--quiet",
                        "--only-binary=:all:",
                        *platforms,
                        "--python-version",
                        OLDEST[version_],
                        "--implementation",
                        "cp",
                        "--find-links",
                        pure,
                        "-c",
                        constraints,
                        "-d",
                        dest,
                        requirement,
                        *more,
                        env=env,
                    )
        for extra in extras:  # an extra's folder keeps only what the base does not have
            for wheel in (folder / "extras" / extra).glob("*.whl"):
                if (wheels / wheel.name).exists():
                    wheel.unlink()
    write_scripts(folder, version, targets, pythons, extras)
    if make_zip:
        archive = out / f"{folder.name}.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zipped:
            for path in sorted(folder.rglob("*")):
                zipped.write(path, path.relative_to(out).as_posix())
        print(f"离线安装包：{archive}")
    print(f"离线安装包：{folder}")
    return folder


def write_scripts(
    folder: Path, version: str, targets: list[str], pythons: list[str], extras: list[str]
) -> None:
    for name in ("install.sh", "install.bat", "安装说明.txt"):
        text = (TEMPLATES / name).read_text(encoding="utf-8").replace("@VERSION@", version)
        newline = "\r\n" if name.endswith((".bat", ".txt")) else "\n"
        with open(folder / name, "w", encoding="utf-8", newline=newline) as stream:
            stream.write(text)
    (folder / "install.sh").chmod(0o755)
    described = {"version": version, "targets": targets, "pythons": pythons, "extras": extras}
    (folder / "targets.json").write_text(
        json.dumps(described, ensure_ascii=False, indent=1), encoding="utf-8"
    )


def main(argv: list[str], python: Path) -> None:
    parser = argparse.ArgumentParser(prog="dev.py bundle", description="写出离线安装包")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="输出文件夹")
    parser.add_argument(
        "--target", action="append", choices=sorted(TARGETS), help="目标平台（可多次）"
    )
    parser.add_argument("--python", action="append", choices=PYTHONS, help="Python 版本（可多次）")
    parser.add_argument(
        "--extra", action="append", choices=EXTRAS, help="可选部分（默认全部；可多次）"
    )
    parser.add_argument("--no-extras", action="store_true", help="不带可选部分")
    parser.add_argument("--zip", action="store_true", help="另写一个 .zip")
    args = parser.parse_args(argv)
    extras = [] if args.no_extras else (args.extra or list(EXTRAS))
    build(
        python,
        args.out.resolve(),
        args.target or list(TARGETS),
        args.python or list(PYTHONS),
        extras,
        args.zip,
    )


if __name__ == "__main__":  # dev.py bundle, or this file run by the environment's Python
    main(sys.argv[1:], Path(sys.executable))

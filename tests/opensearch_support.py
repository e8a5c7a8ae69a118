"""Fixtures for tests against a real OpenSearch, started by tools/opensearch/server.py.

Tests get them with `pytest_plugins = ["opensearch_support"]` (not by importing: pytest must
load this module as a plugin). The servers run on fixed 127.0.0.1 ports (single node
9250/9350, cluster 9261-9262/9361-9362); without an installed server the tests skip and say
how to install one.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time
import urllib.request
from pathlib import Path
from types import ModuleType

import pytest

SERVER_SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "opensearch" / "server.py"
NOT_INSTALLED = (
    "OpenSearch is not installed here: python3 dev.py test installs it "
    "(tools/opensearch/server.py install)"
)
CLUSTER_NAME = "kb-test-cluster"
CLUSTER_NODES = {"test-a": (9261, 9361), "test-b": (9262, 9362)}


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


@pytest.fixture(scope="session")
def local_opensearch():
    """Use as `pytest.mark.usefixtures("local_opensearch")`: skips, saying why, unless a
    local server can be started."""
    reason = local_skip_reason()
    if reason:
        pytest.skip(reason)
    return server()


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
    reason = local_skip_reason()
    if reason:
        pytest.skip(reason)
    srv = server()
    srv.stop_node("test-single")  # left over from an interrupted run
    url = srv.start_node(
        "test-single", http_port=9250, transport_port=9350, cluster="kb-test-single", wipe=True
    )
    try:
        yield url
    finally:
        srv.stop_node("test-single", wipe=True)


class Cluster:
    """Two running nodes of one cluster: their URLs by node name, and a way to stop one."""

    def __init__(self, urls: dict[str, str]):
        self.urls = urls

    def stop(self, name: str) -> None:
        server().stop_node(name)


@pytest.fixture(scope="module")
def opensearch_cluster(local_opensearch):
    """Nodes test-a and test-b forming the cluster kb-test-cluster, fresh for the module."""
    srv = local_opensearch
    peers = [f"127.0.0.1:{transport}" for _, transport in CLUSTER_NODES.values()]
    for name in CLUSTER_NODES:
        srv.stop_node(name)  # left over from an interrupted run
    try:
        # Started together: a cluster node waits for its peers before opening HTTP.
        for name, (http_port, transport_port) in CLUSTER_NODES.items():
            srv.start_node(
                name,
                http_port=http_port,
                transport_port=transport_port,
                cluster=CLUSTER_NAME,
                peers=peers,
                initial_managers=list(CLUSTER_NODES),
                wipe=True,
                wait=False,
            )
        urls = {name: srv.wait_for_node(name) for name in CLUSTER_NODES}
        first = next(iter(urls.values()))
        deadline = time.monotonic() + 60
        health: dict | str = "no answer"
        while True:
            try:
                health = _get_json(f"{first}/_cluster/health?wait_for_nodes=2&timeout=10s")
                if health["number_of_nodes"] == 2:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the two nodes did not form one cluster: {health}")
            time.sleep(0.5)
        yield Cluster(urls)
    finally:
        for name in CLUSTER_NODES:
            srv.stop_node(name, wipe=True)

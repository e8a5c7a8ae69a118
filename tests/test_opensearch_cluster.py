"""Two real OpenSearch nodes on 127.0.0.1 form one cluster that spreads, replicates and
serves kb's index from either node, and keeps answering kb's queries when one node goes."""

from __future__ import annotations

import time

import pytest
from opensearchpy import OpenSearch

from indexer.update import update
from kb.backend import Backend
from kb.cli import DEFAULT_DICT, DEFAULT_DOCS
from kb.engines.opensearch.settings import OpenSearchSettings
from kb.engines.whoosh.searcher import Searcher

pytest_plugins = ["opensearch_support"]  # the fixtures used here
pytestmark = pytest.mark.usefixtures("local_opensearch")  # skips, saying why, if not installed

INDEX = "kb-cluster-test"
PASSAGES = 0  # set by the ``indexed`` fixture
QUERIES = ["四风", "领导接受老板请吃饭", '"为基层减负"', "type:通报 year:2024"]


def client(url: str) -> OpenSearch:
    return OpenSearch(hosts=[url], timeout=30)


@pytest.fixture(scope="module")
def nodes(opensearch_cluster):
    """(name, client, node id) of both nodes."""
    result = []
    for name, url in opensearch_cluster.urls.items():
        os_client = client(url)
        node_id = next(
            node_id
            for node_id, node in os_client.nodes.info(node_id="_local")["nodes"].items()
            if node["name"] == name
        )
        result.append((name, os_client, node_id))
    return result


@pytest.fixture(scope="module")
def indexed(nodes, opensearch_cluster, tmp_path_factory):
    """kb's sample corpus indexed by kb through node A only: 2 shards with 1 replica each.
    Returns the concrete index name."""
    global PASSAGES
    url_a = opensearch_cluster.urls[nodes[0][0]]
    backend = Backend(
        tmp_path_factory.mktemp("state-a"), OpenSearchSettings(url_a, INDEX, shards=2, replicas=1)
    )
    report = update(backend, [DEFAULT_DOCS], DEFAULT_DICT)
    assert report.rebuilt and not report.failed
    PASSAGES = report.passages
    _, a, _ = nodes[0]
    # (no `timeout=` here: opensearch-py would take it for the HTTP timeout)
    health = a.cluster.health(index=INDEX, wait_for_status="green")
    assert health["status"] == "green", health
    (concrete,) = a.indices.get_alias(name=INDEX)
    return concrete


def kb_searcher(url: str, tmp_path_factory):
    """kb's searcher talking to one node only."""
    state = tmp_path_factory.mktemp("state")
    return Backend(state, OpenSearchSettings(url, INDEX)).open_searcher()


def test_two_nodes_form_one_cluster(nodes):
    uuids = set()
    for _, os_client, _ in nodes:
        health = os_client.cluster.health()
        assert health["number_of_nodes"] == 2
        assert health["cluster_name"] == "kb-test-cluster"
        uuids.add(os_client.info()["cluster_uuid"])
    assert len(uuids) == 1 and "_na_" not in uuids


def test_shards_and_replicas_spread_over_both_nodes(nodes, indexed):
    _, a, _ = nodes[0]
    rows = a.cat.shards(index=indexed, format="json")
    assert len(rows) == 4
    assert {row["state"] for row in rows} == {"STARTED"}
    by_node: dict[str, list[dict]] = {}
    for row in rows:
        by_node.setdefault(row["node"], []).append(row)
    assert sorted(by_node) == ["test-a", "test-b"]
    # Each shard has one copy per node (OpenSearch never puts a replica beside its
    # primary), so each node holds all the data; where the primaries land may vary.
    for copies in by_node.values():
        assert sorted(row["shard"] for row in copies) == ["0", "1"]
    assert sorted(row["prirep"] for row in rows) == ["p", "p", "r", "r"]


def test_documents_indexed_on_one_node_are_found_from_the_other(
    nodes, indexed, opensearch_cluster, corpus_index, tmp_path_factory
):
    (name_a, a, _), (name_b, _, b_id) = nodes
    on_a = kb_searcher(opensearch_cluster.urls[name_a], tmp_path_factory)
    on_b = kb_searcher(opensearch_cluster.urls[name_b], tmp_path_factory)
    whoosh = Searcher(corpus_index)
    assert on_b.counts()[1] == PASSAGES
    for query in QUERIES:
        from_b = on_b.search(query, limit=50)
        assert from_b.total > 0
        assert from_b.as_dict() == on_a.search(query, limit=50).as_dict()
        assert from_b.total == whoosh.search(query, limit=50).total

    # Asked through node A but served only by node B's shard copies.
    served = a.search(
        index=indexed,
        body={"query": {"match_all": {}}, "size": 100, "explain": True},
        params={"preference": f"_only_nodes:{b_id}"},
    )
    assert served["hits"]["total"]["value"] == PASSAGES
    assert served["_shards"] == {"total": 2, "successful": 2, "skipped": 0, "failed": 0}
    assert {hit["_node"] for hit in served["hits"]["hits"]} == {b_id}


def test_search_survives_losing_the_node_that_is_not_cluster_manager(
    opensearch_cluster, nodes, indexed, tmp_path_factory
):
    by_name = {name: (os_client, node_id) for name, os_client, node_id in nodes}
    manager_name = nodes[0][1].cat.cluster_manager(format="json")[0]["node"]
    manager, manager_id = by_name[manager_name]
    # We stop the node that is NOT the elected cluster manager: with two manager-eligible
    # nodes OpenSearch keeps only one of them in the voting configuration (a vote needs a
    # majority, and one of two is none), normally the elected manager, so losing it leaves
    # the other node unable to elect anyone. Surviving the loss of any one node takes three
    # manager-eligible nodes, as in production. Wait until that voting set is settled.
    deadline = time.monotonic() + 30
    while True:
        state = manager.cluster.state(
            metric="metadata", filter_path="metadata.cluster_coordination"
        )
        voters = state["metadata"]["cluster_coordination"]["last_committed_config"]
        if voters == [manager_id] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert voters == [manager_id]

    on_manager = kb_searcher(opensearch_cluster.urls[manager_name], tmp_path_factory)
    before = {query: on_manager.search(query, limit=50).as_dict() for query in QUERIES}
    other = next(name for name in by_name if name != manager_name)
    opensearch_cluster.stop(other)

    # The manager notices the loss, promotes the replicas of the lost primaries, and
    # answers every search with all documents from its own copies.
    deadline = time.monotonic() + 60
    while True:
        try:
            found = manager.search(index=indexed, body={"query": {"match_all": {}}, "size": 0})
            health = manager.cluster.health(index=indexed)
            if (
                found["hits"]["total"]["value"] == PASSAGES
                and found["_shards"]["failed"] == 0
                and health["number_of_nodes"] == 1
                and health["active_primary_shards"] == 2
            ):
                break
        except Exception as error:  # the cluster may briefly refuse while it reroutes
            found = health = repr(error)
        assert time.monotonic() < deadline, (found, health)
        time.sleep(0.5)
    assert health["status"] == "yellow"  # replicas have nowhere to go with one node
    rows = manager.cat.shards(index=indexed, format="json")
    assert {(row["prirep"], row["state"], row["node"]) for row in rows if row["prirep"] == "p"} == {
        ("p", "STARTED", manager_name)
    }
    # kb answers exactly as before, from the one node left.
    assert {query: on_manager.search(query, limit=50).as_dict() for query in QUERIES} == before

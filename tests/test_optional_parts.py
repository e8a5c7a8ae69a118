"""kb's optional parts (issue 17, item 3): without the OpenSearch client installed, kb runs
on Whoosh and asking for OpenSearch says what to install, in Chinese, without a traceback."""

from __future__ import annotations

import importlib.util

import pytest

from kb import cli
from kb.engines.opensearch.settings import CLIENT_MISSING, OpenSearchSettings, SettingsError


@pytest.fixture
def no_client(monkeypatch):
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name.split(".")[0] == "opensearchpy" else real(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


def test_settings_name_the_missing_client(no_client):
    with pytest.raises(SettingsError) as raised:
        OpenSearchSettings.from_env("http://127.0.0.1:9200")
    assert str(raised.value) == CLIENT_MISSING and "kb[opensearch]" in CLIENT_MISSING


def test_the_command_line_says_what_to_install(no_client, tmp_path, capsys):
    argv = ["search", "八项规定", "--index", str(tmp_path / "i"), "--backend", "opensearch"]
    with pytest.raises(SystemExit) as exited:
        cli.main([*argv, "--url", "http://127.0.0.1:9200"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "opensearch-py" in err and "Traceback" not in err


def test_whoosh_needs_no_client(no_client, corpus_index, capsys):
    assert cli.main(["search", "八项规定", "--index", str(corpus_index)]) == 0
    assert "共" in capsys.readouterr().out

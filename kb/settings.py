"""What one deployment decided, settled once and handed down.

The command line (``kb.cli``) builds a ``Settings`` from its options and the environment; the
web app (``web.create_app``) takes one, or builds it from its mapping. Everything that needs
the index, the documents folder, the dictionaries or the instance folder reads them from
here, so no module works out a path on its own and ``kb index``, ``kb serve`` and the admin's
更新索引 agree on every folder.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from kb.backend import Backend
from kb.resources import SOURCE_ROOT, in_source_tree

INDEX_ENV = "KB_INDEX"


class InstanceError(ValueError):
    """The instance folder cannot be used; the message says why, in Chinese."""


def default_index() -> Path:
    """``$KB_INDEX``, else ``./.kb/index``."""
    return Path(os.environ.get(INDEX_ENV) or Path(".kb") / "index")


def instance_folder(setting: str | os.PathLike | None, index: str | os.PathLike) -> Path:
    """The instance folder: the setting, else beside the index folder.

    Refuses a folder inside the project's source tree (except the ignored ``.kb``), so a
    password hash or secret key can never be committed by accident.
    """
    folder = Path(setting) if setting else Path(index).resolve().parent / "instance"
    folder = folder.resolve()
    if (
        in_source_tree()
        and folder.is_relative_to(SOURCE_ROOT)
        and not folder.is_relative_to(SOURCE_ROOT / ".kb")
    ):
        raise InstanceError(
            f"实例文件夹 {folder} 在项目代码目录中，密码和密钥可能被提交。"
            "请用 --instance 指定代码目录以外的文件夹（或放在 .kb/ 下）。"
        )
    return folder


@dataclass(frozen=True)
class Settings:
    """``backend`` says where the index is (its ``index`` folder also keeps this machine's
    state); ``corpus`` is the documents folder (the admin uploads there; None: uploads off);
    ``dictionaries`` the folder index updates read (None for ``kb serve``: decided at start,
    see ``kb.live_dictionaries``); ``instance`` the folder of password, secret key and
    reports, checked and filled in by ``with_instance`` for the commands that keep secrets."""

    backend: Backend
    corpus: Path | None = None
    dictionaries: Path | None = None
    instance: Path | None = None

    @property
    def index(self) -> Path:
        return self.backend.index

    @property
    def instance_dir(self) -> Path:
        """The settled instance folder (the web app's settings always have one)."""
        if self.instance is None:
            raise InstanceError("还没有确定实例文件夹（Settings.with_instance）。")
        return self.instance

    def with_instance(self, setting: str | os.PathLike | None = None) -> Settings:
        """The same settings with the instance folder settled (``setting``, else the one
        given, else beside the index). Raises InstanceError."""
        chosen = setting if setting is not None else self.instance
        return replace(self, instance=instance_folder(chosen, self.index))

    @classmethod
    def from_mapping(cls, config: Mapping[str, object]) -> Settings:
        """From Flask-style keys: ``INDEX`` or ``BACKEND``, ``CORPUS``, ``DICT``, ``INSTANCE``;
        the instance folder settled. Raises InstanceError."""
        backend = config.get("BACKEND")
        if backend is None:
            index = _path(config.get("INDEX"))
            if index is None:
                raise KeyError("INDEX")
            backend = Backend(Path(index))
        if not isinstance(backend, Backend):
            raise TypeError("BACKEND must be a kb.backend.Backend")
        corpus, dictionaries = _path(config.get("CORPUS")), _path(config.get("DICT"))
        return cls(
            backend,
            corpus=Path(corpus).resolve() if corpus else None,
            dictionaries=Path(dictionaries) if dictionaries else None,
        ).with_instance(_path(config.get("INSTANCE")))


def _path(value: object) -> str | os.PathLike | None:
    if value is None or isinstance(value, str | os.PathLike):
        return value
    raise TypeError(f"a folder setting must be a path, not {type(value).__name__}")

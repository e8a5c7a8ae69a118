"""How a user on this machine runs a kb command, said the way that works for how the running kb
was started: ``kb`` where the ``kb`` on PATH is this installation's, else this very interpreter
with ``-m kb`` (``python dev.py run`` keeps ``kb`` in ``.venv``, off the user's PATH)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path


def _same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _quoted(parts: list[str]) -> str:
    return subprocess.list2cmdline(parts) if os.name == "nt" else shlex.join(parts)


def kb_command(*args: str) -> str:
    """The command line that runs ``kb <args>`` from any folder, as a user types it."""
    beside = Path(sys.executable).with_name("kb.exe" if os.name == "nt" else "kb")
    on_path = shutil.which("kb")
    if on_path and beside.exists() and _same_file(on_path, beside):
        return _quoted(["kb", *args])
    return _quoted([sys.executable, "-m", "kb", *args])


def set_password_command(instance: Path) -> str:
    """``kb admin set-password`` for the instance folder a server uses: named in full, so the
    password lands there whatever folder the user runs it from (the default instance folder
    follows ``$KB_INDEX`` or the working folder)."""
    return kb_command("admin", "set-password", "--instance", str(instance.resolve()))

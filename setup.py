"""kb's build: everything is declared in pyproject.toml; this file adds one step.

A wheel must carry the default dictionaries and the sample documents, which live in
``corpus/`` beside the packages (where admins and newcomers edit them), not inside one, so
package-data cannot name them. The build copies ``corpus/dict`` and ``corpus/docs`` into the
wheel as ``kb/_corpus/`` (``kb.resources`` finds them there). An editable install reads
``corpus/`` where it is and copies nothing.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("dict", "docs")  # corpus/sources and make_formats.py are for developers only
TARGET = ("kb", "_corpus")  # kb.resources.PACKAGED_DATA


class BuildWithCorpus(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for name in SHIPPED:
            self.copy_tree(str(Path("corpus", name)), str(Path(self.build_lib, *TARGET, name)))


setup(cmdclass={"build_py": BuildWithCorpus})

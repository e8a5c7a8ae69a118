"""``python -m kb``: the kb command where its script is not on PATH (a ``dev.py`` install keeps
it in ``.venv``); what kb.invocation tells users to type."""

import sys

from kb.cli import main

sys.exit(main())

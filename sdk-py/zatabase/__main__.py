"""`python -m zatabase`: the same as the `zatabase` command (zatabase/cli.py)."""

import sys

from .cli import main

sys.exit(main())

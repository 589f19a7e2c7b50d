"""`python -m ui` behaves exactly like the `consult` command (the app without a subcommand)."""

import sys

from ui.shell.main import main

sys.exit(main())

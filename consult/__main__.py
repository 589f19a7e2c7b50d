"""`python -m consult`: the command line's subcommands (the app itself is `python -m ui`)."""

import sys

from consult.app.cli import main

sys.exit(main())

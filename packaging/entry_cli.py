"""The bundle's `consult` executable: the command line, and the app when given no command."""

import sys

from ui.shell.main import main

sys.exit(main())

"""The bundle's windowed executable on Windows (`consult-app.exe`, no console window)."""

import sys

from ui.shell.launcher import main

sys.exit(main())

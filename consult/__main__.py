"""`python -m consult` behaves exactly like the `consult` command."""

import sys

from consult.cli import main

sys.exit(main())

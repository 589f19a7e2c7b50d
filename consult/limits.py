"""What the clinic database can hold, for values checked before they reach it.

PostgreSQL refuses outright a value that SQLite would store, or look up and not find;
so a number typed by hand (on the command line, in a filter box) is checked here
first, and the user is told which field is wrong rather than shown a database error.
"""

from __future__ import annotations

# Records are numbered by INTEGER columns (32 bits on PostgreSQL).
LARGEST_ID = 2_147_483_647

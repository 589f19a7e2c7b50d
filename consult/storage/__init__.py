"""The clinic database: schema, migrations and the repositories the app works through.

`Database.open(url)` gives the one engine and session factory of the process. The
repository modules (patients, consultations, quotes, …) take an `Actor`, check the
role's permission, write an audit event for every access to a patient's record and
hand back frozen dataclasses, never ORM objects, so a screen cannot change a row
behind the repository's back.
"""

from consult.storage.db import Database

__all__ = ["Database"]

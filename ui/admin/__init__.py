"""Administration screens for managers, as widgets the main window embeds.

`UsersView(db, actor)`: the clinic's accounts. `AuditView(db, actor)`: the audit trail
and its chain check. `resolve_conflict(...)`: the dialog shown when two seats saved
the same record.
"""

from ui.admin.audit_view import AuditView
from ui.admin.conflict_dialog import ConflictDialog, resolve_conflict
from ui.admin.users_view import UsersView

__all__ = ["AuditView", "ConflictDialog", "UsersView", "resolve_conflict"]

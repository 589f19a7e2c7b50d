"""The use cases: every user action is one function here.

`ui/` and `consult/commands/` call these and nothing below them. Each public function
of a module in this package takes the acting user (`acting.SignedIn`) first, is
gated by `@acting.use_case` against the permission table in resources/roles.toml,
does its work in one transaction with its audit events in it, and returns frozen
values (`consult.records`, tuples, plain numbers and strings). A few entry points
come before anyone is signed in (opening the clinic, first set-up, signing in); they
are named in `acting.ENTRY_POINTS`.

Modules: accounts, patients, consultations, signing, quotes, pricing, clinic,
audit_trail, protection (backup, restore, export), printing.
"""

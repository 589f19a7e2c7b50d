"""Keeping the clinic's data safe: backups, restores, patient exports, encryption at rest.

Everything here is plain functions over a database URL or an open `Database`; the
command line (consult.commands.backup / .audit) and the app call them.
"""

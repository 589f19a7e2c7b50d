"""Data files of Consult: read them through `consult.data`, never by path."""

"""Consult's desktop app (PySide6).

The widgets here present the domain core in `consult/` and call it; every clinical,
money and storage rule lives there, so the app and the command line always agree.
"""

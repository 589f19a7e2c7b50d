"""The clinic itself: its settings, whether it is set up, its local time."""

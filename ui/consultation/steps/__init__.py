"""One widget per step of the consultation."""

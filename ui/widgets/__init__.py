"""Self-contained widgets the screens embed: the area map, the signature pad, the PDF preview."""

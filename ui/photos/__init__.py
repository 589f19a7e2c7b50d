"""The patient card's Photos tab: thumbnails, import with a framing guide, compare."""

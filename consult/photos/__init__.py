"""Before and after photographs: the standard views and the images' normalisation (no Qt)."""

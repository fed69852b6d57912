"""The embedding suite's fixtures (tests/embedding/stand_in.py)."""
from embedding.stand_in import app, built, tarball  # noqa: F401  (pytest fixtures)

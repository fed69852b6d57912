"""Errors about sessions themselves (not about the key-value store underneath)."""
from __future__ import annotations

from .errors import StorageError


class InvalidSessionError(ValueError):
    """A value that cannot be a session at all: not an object, or no usable string id.

    Only these are refused; every other deviation from Taskerino's types is a warning.
    """


class SessionNotFoundError(LookupError):
    """No chunked session with this id (its metadata record does not exist)."""

    def __init__(self, session_id: str):
        super().__init__(f"session {session_id!r} is not in chunked storage (no metadata record)")
        self.session_id = session_id


class SessionLayoutError(StorageError):
    """A chunked session's records do not fit together: a chunk or part its metadata names is
    missing, or a record has the wrong shape. Loading it would silently lose data, so we stop."""

    def __init__(self, session_id: str, problems: list[str]):
        super().__init__(f"chunked session {session_id!r} is damaged: " + "; ".join(problems))
        self.session_id = session_id
        self.problems = problems

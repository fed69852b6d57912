"""The one check storage makes of a session: that it can be a session at all. No pydantic here,
so storing and loading never wait for it to import."""
from __future__ import annotations

from typing import Any

from ..errors import InvalidSessionError
from .compare import json_type as js_type


def require_session_shape(value: Any) -> dict:
    """The value itself if it can be a session at all; InvalidSessionError otherwise.

    Everything else that breaks Taskerino's types is a warning (models.validate_session)."""
    if not isinstance(value, dict):
        raise InvalidSessionError(f"a session must be a JSON object, got {js_type(value)}")
    if "id" not in value:
        raise InvalidSessionError("a session must have an id, and this object has none")
    if not isinstance(value["id"], str):
        raise InvalidSessionError(f"a session's id must be a string, got {js_type(value['id'])}")
    return value

"""What the commands take: MigrationOptions (and the checks of other arguments), and Plain, the
base of every result (results.py): dataclasses whose to_dict() gives the camelCase objects the
seed documents, for the console and the JS side."""
from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

from ..errors import InvalidArgumentError

#: on_progress(message, percent): percent is 0..100. May return an awaitable (a JS callback).
OnProgress = Callable[[str, int], Any]


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def to_plain(value: Any) -> Any:
    """Dataclasses as camelCase dicts, recursively; fields marked internal are left out."""
    if is_dataclass(value) and not isinstance(value, type):
        return {to_camel(f.name): to_plain(getattr(value, f.name))
                for f in fields(value) if not f.metadata.get("internal")}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


class Plain:
    def to_dict(self) -> dict:
        return to_plain(self)


def internal(default: Any = None) -> Any:
    return field(default=default, repr=False, compare=False, metadata={"internal": True})


@dataclass
class MigrationOptions(Plain):
    """How to migrate. skip_backup / skip_verification keep the legacy copy (it is then the only
    backup, or the only verified copy); a later run without them finishes those sessions."""

    dry_run: bool = False
    verbose: bool = False
    skip_verification: bool = False
    skip_backup: bool = False
    backup_retention_days: int = 30
    on_progress: OnProgress | None = field(default=None, metadata={"internal": True})

    def __post_init__(self) -> None:
        for name in ("dry_run", "verbose", "skip_verification", "skip_backup"):
            if not isinstance(getattr(self, name), bool):
                raise InvalidArgumentError(
                    f"option {to_camel(name)} must be true or false, got {getattr(self, name)!r}")
        require_days("backupRetentionDays", self.backup_retention_days)
        if self.on_progress is not None and not callable(self.on_progress):
            raise InvalidArgumentError("option onProgress must be a function (message, percent)")

    @classmethod
    def from_mapping(cls, options: Mapping[str, Any] | None) -> "MigrationOptions":
        """From the console's camelCase object (snake_case names work too)."""
        if options is None:
            return cls()
        if isinstance(options, cls):
            return options
        if not isinstance(options, Mapping):
            raise InvalidArgumentError(f"options must be an object, got {type(options).__name__}")
        names = {to_camel(f.name): f.name for f in fields(cls)} | {f.name: f.name for f in fields(cls)}
        unknown = [k for k in options if k not in names]
        if unknown:
            raise InvalidArgumentError(
                f"unknown option(s) {', '.join(map(repr, unknown))}; known: "
                + ", ".join(to_camel(f.name) for f in fields(cls)))
        return cls(**{names[k]: v for k, v in options.items()})

    async def progress(self, message: str, percent: int) -> None:
        if self.on_progress is not None:
            returned = self.on_progress(message, percent)
            if inspect.isawaitable(returned):
                await returned


def require_days(name: str, days: Any) -> int:
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise InvalidArgumentError(f"{name} must be a whole number of days (0 or more), got {days!r}")
    return days

"""Reading text and YAML input files with errors that name the file, the line and the field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kg.errors import InputError


class _Loader(yaml.SafeLoader):
    """YAML without YAML 1.1 surprises: ``no``/``yes``/``on``/``off`` stay text, and dates
    stay text (so an impossible date is reported by dipkg, naming the field)."""


_Loader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _Loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), [_first]
    )


def read_text(path: Path) -> str:
    """A UTF-8 text file's content.

    Raises:
        InputError: the file is missing, unreadable or not UTF-8.
    """
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: file not found.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot be read as UTF-8 text ({exc}).") from exc


def load_yaml(path: Path) -> Any:
    """Parse one YAML file safely (no custom tags).

    Raises:
        InputError: the file is missing, unreadable, not UTF-8 or not valid YAML (with line).
    """
    return parse_yaml(read_text(path), str(path))


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text safely (no custom tags); ``source`` names it in errors.

    >>> parse_yaml("date: 2024-04-02", "a.yaml")
    {'date': '2024-04-02'}

    Raises:
        InputError: the text is not valid YAML (with its line and column).
    """
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else source
        raise InputError(
            f"{where}: malformed YAML: {exc.problem or exc.context}.",
            hint="Check indentation and quoting on that line.",
        ) from exc
    except yaml.YAMLError as exc:
        raise InputError(f"{source}: malformed YAML: {exc}.") from exc


class Fields:
    """Typed access to one YAML mapping, naming ``file: where.field`` in every error.

    >>> f = Fields({"id": "x", "n": 3}, "corpus/a.yaml", "events[0]")
    >>> f.text("id")
    'x'
    """

    def __init__(self, data: object, file: str, where: str) -> None:
        if not isinstance(data, dict):
            raise InputError(f"{file}: {where} must be a mapping, not {type(data).__name__}.")
        self.data: dict[str, Any] = data
        self.file = file
        self.where = where

    def error(self, field: str, problem: str, hint: str | None = None) -> InputError:
        """An InputError naming this item's field."""
        return InputError(f"{self.file}: {self._path(field)}: {problem}", hint=hint)

    def _path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def check_keys(self, allowed: set[str]) -> None:
        """Refuse keys this item does not know (typos must not pass silently)."""
        unknown = sorted(set(self.data) - allowed)
        if unknown:
            raise self.error(
                unknown[0], "unknown key.", hint=f"Known keys: {', '.join(sorted(allowed))}."
            )

    def text(self, key: str, default: str | None = None, *, required: bool = False) -> str | None:
        """A string field (numbers and dates YAML parsed are turned back into text)."""
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise self.error(key, "is required and missing.")
            return default
        if isinstance(value, (dict, list)):
            raise self.error(key, f"must be text, not {type(value).__name__}.")
        return str(value)

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings; a single string is a list of one."""
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, (str, int)):
            return (str(value),)
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            raise self.error(key, "must be a list of text values.")
        return tuple(str(v) for v in value)

    def items(self, key: str) -> list[Fields]:
        """A list of mappings, each wrapped as Fields with its index in ``where``."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, "must be a list.")
        return [Fields(item, self.file, f"{self._path(key)}[{i}]") for i, item in enumerate(value)]

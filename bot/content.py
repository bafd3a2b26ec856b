"""What residents read: messages from content/messages/*.yml, filled in with the
council's facts and the values of the moment (a date, a reference).

Placeholders use dotted names: `{phone}`, `{fees.garden_waste_per_year}`,
`{emergency.immediate_danger}`, `{url.council_tax_pay}` (a page's full address),
and any value passed in by the caller, such as `{reference}`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.council import Council, get_council
from bot.settings import get_settings


class ContentError(KeyError):
    """A message or one of its placeholders does not exist."""


@dataclass(frozen=True)
class Button:
    title: str
    payload: str


@dataclass(frozen=True)
class Message:
    """One rendered message: its text, an optional link and buttons."""

    text: str
    link: str | None = None
    buttons: tuple[Button, ...] = field(default_factory=tuple)

    def as_text(self) -> str:
        """The text with its link on a line of its own (as SMS and logs want)."""
        return f"{self.text}\n{self.link}" if self.link else self.text


class _PageUrls(Mapping[str, str]):
    def __init__(self, council: Council) -> None:
        self._council = council

    def __getitem__(self, key: str) -> str:
        return self._council.page_url(key)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._council.facts["pages"])

    def __len__(self) -> int:
        return len(self._council.facts["pages"])


class _DottedFormatter(string.Formatter):
    """Resolves `{a.b.c}` through nested mappings instead of attributes."""

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        parts = field_name.split(".")
        value: Any = kwargs
        for part in parts:
            try:
                value = value[part]
            except (KeyError, TypeError):
                raise ContentError(f"no value for placeholder {{{field_name}}}") from None
        return value, parts[0]


_FORMATTER = _DottedFormatter()


class Content:
    """The council's messages, rendered on demand."""

    def __init__(self, messages: Mapping[str, Any], council: Council) -> None:
        self._messages = messages
        self._council = council
        self._facts: dict[str, Any] = {**council.facts, "url": _PageUrls(council)}

    def keys(self) -> list[str]:
        return list(self._messages)

    def has(self, key: str) -> bool:
        return key in self._messages

    def render(self, key: str, **values: Any) -> Message:
        """Render message `key`; raises ContentError if it or a placeholder is missing."""
        entry = self._messages.get(key)
        if entry is None:
            raise ContentError(f"no message called {key!r}")
        if isinstance(entry, str):
            entry = {"text": entry}
        context = {**self._facts, **values}
        # Stripped after filling too: a placeholder left empty at the end leaves no space.
        text = _FORMATTER.vformat(str(entry["text"]).strip(), (), context).strip()
        try:
            link = self._council.page_url(entry["link"]) if entry.get("link") else None
        except KeyError as missing:
            raise ContentError(f"message {key!r}: {missing}") from None
        buttons = tuple(
            Button(
                title=_FORMATTER.vformat(str(b["title"]), (), context),
                payload=_FORMATTER.vformat(str(b["payload"]), (), context),
            )
            for b in entry.get("buttons", [])
        )
        return Message(text=text, link=link, buttons=buttons)

    def text(self, key: str, **values: Any) -> str:
        """Just the text of a message, for building larger replies."""
        return self.render(key, **values).text


def load_messages(directory: Path) -> dict[str, Any]:
    """Every message in the `*.yml` files of `directory`; a name may appear only once."""
    messages: dict[str, Any] = {}
    for path in sorted(directory.glob("*.yml")):
        with path.open(encoding="utf-8") as handle:
            loaded = yaml.safe_load(handle) or {}
        if not isinstance(loaded, dict):
            raise ContentError(f"{path} must map message names to messages")
        clashes = set(loaded) & set(messages)
        if clashes:
            raise ContentError(f"{path} repeats messages: {', '.join(sorted(clashes))}")
        messages.update(loaded)
    return messages


@lru_cache(maxsize=1)
def get_content() -> Content:
    """The process-wide content, read once."""
    return Content(load_messages(get_settings().messages_dir), get_council())

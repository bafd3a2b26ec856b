"""Send content messages through rasa_sdk's dispatcher."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from bot.content import Message, get_content


def as_payload(message: Message) -> dict[str, Any]:
    """A rendered message in the shape `utter_message` takes (link on its own line)."""
    payload: dict[str, Any] = {"text": message.as_text()}
    if message.buttons:
        payload["buttons"] = [{"title": b.title, "payload": b.payload} for b in message.buttons]
    return payload


def say(
    dispatcher: CollectingDispatcher,
    key: str,
    buttons: list[dict[str, str]] | None = None,
    **values: Any,
) -> None:
    """Send message `key` from content/messages, filled in with `values`.

    `buttons` (title/payload dicts) are added after the message's own.
    """
    payload = as_payload(get_content().render(key, **values))
    if buttons:
        payload["buttons"] = payload.get("buttons", []) + buttons
    dispatcher.utter_message(**payload)


def text(key: str, **values: Any) -> str:
    """Just the text of message `key`, for building a larger reply."""
    return get_content().text(key, **values)

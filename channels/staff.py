"""The staff handoff queue mounted in the Rasa server at /staff, with the resident relay.

One class in credentials.yml (`channels.staff.StaffQueueInput: {}`) serves the staff pages
and API (bot/web) and, in the same process and on the same message bus, delivers staff
replies to residents (channels/handoff_relay.py). Every Rasa server runs both; the bus
(MESSAGE_BUS_URL: PostgreSQL or Redis) carries events between servers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint

from bot.content import get_content
from bot.db.session import get_engine
from bot.services.message_bus import get_message_bus
from bot.settings import get_settings
from bot.web import create_staff_blueprint
from channels.handoff_relay import HandoffRelay, set_relay
from channels.request_limits import limit_request_size
from channels.startup_checks import start_rasa_server


class StaffQueueInput(InputChannel):
    """Not a resident channel: it mounts the staff queue and starts the handoff relay."""

    @classmethod
    def name(cls) -> str:
        return "staff"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> StaffQueueInput:
        start_rasa_server()
        return cls()

    def url_prefix(self) -> str:
        # Rasa mounts blueprints at urljoin("/webhooks/", prefix): a leading slash gives /staff.
        return "/staff"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The staff queue blueprint; its start-up also subscribes the relay to the bus."""
        settings = get_settings()
        engine = get_engine(settings.database_url)
        bus = get_message_bus(settings)
        app_ref: dict[str, Any] = {}
        relay = HandoffRelay(
            engine,
            bus,
            get_content(),
            agent=lambda: getattr(app_ref["app"].ctx, "agent", None) if app_ref else None,
        )
        set_relay(relay)
        blueprint = create_staff_blueprint(engine, bus, settings)

        @blueprint.listener("after_server_start")
        async def start_relay(app: Any, _loop: Any) -> None:
            app_ref["app"] = app
            await relay.start()

        @blueprint.listener("before_server_stop")
        async def stop_bus(_app: Any, _loop: Any) -> None:
            set_relay(None)
            await bus.close()

        limit_request_size(blueprint)
        return blueprint

"""The staff blueprint mounts in a Rasa server as an input channel's blueprint.

Rasa prefixes channel blueprints with /webhooks/<url_prefix()>; a channel whose
url_prefix() is "/staff" keeps the queue at /staff (urljoin drops /webhooks/).
"""

import uuid

import pytest
from sanic import Sanic
from staff_browser import Browser, open_ticket

rasa_channel = pytest.importorskip("rasa.core.channels.channel")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
async def test_the_queue_works_when_mounted_through_rasas_channel_registry(
    migrated_engine, bus, handoff_content, accounts
):
    from bot.settings import Settings
    from bot.web import create_staff_blueprint

    class StaffQueueChannel(rasa_channel.InputChannel):
        @classmethod
        def name(cls) -> str:
            return "staff"

        def url_prefix(self) -> str:
            return "/staff"

        def blueprint(self, on_new_message):  # type: ignore[no-untyped-def]
            return create_staff_blueprint(
                migrated_engine, bus, Settings(staff_secure_cookies=False), handoff_content
            )

    app = Sanic(f"rasa_like_{uuid.uuid4().hex[:8]}")
    rasa_channel.register([StaffQueueChannel()], app, route="/webhooks/")
    ticket = open_ticket(migrated_engine)
    ann = Browser(app)
    assert (await ann.sign_in("ann")).status == 303
    assert (await ann.post(f"/staff/tickets/{ticket}/claim")).status == 303
    assert "Can I pay my council tax late?" in (await ann.get(f"/staff/tickets/{ticket}")).text

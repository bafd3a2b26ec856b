"""A staff queue server for the multi-server tests: a plain Sanic app with the staff blueprint.

python tests/bot/web/staff_server.py DATABASE_URL MESSAGE_BUS_URL PORT

From the environment: TRUSTED_PROXIES (as in production), and STAFF_TLS_CERT and
STAFF_TLS_KEY (PEM files) to serve over TLS.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import yaml
from sanic import Sanic

from bot.content import Content
from bot.council import get_council
from bot.db.session import make_engine
from bot.services.message_bus import make_message_bus
from bot.settings import Settings
from bot.web import create_staff_blueprint

MESSAGES = Path(__file__).resolve().parents[3] / "content" / "messages" / "handoff.yml"


def main() -> None:
    database_url, bus_url, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    content = Content(yaml.safe_load(MESSAGES.read_text(encoding="utf-8")), get_council())
    settings = Settings(
        staff_secure_cookies=False,
        message_bus_url=bus_url,
        trusted_proxies=os.environ.get("TRUSTED_PROXIES", ""),
    )
    cert, key = os.environ.get("STAFF_TLS_CERT"), os.environ.get("STAFF_TLS_KEY")
    tls = {"cert": cert, "key": key} if cert and key else None
    app = Sanic(f"staff_server_{port}")
    app.blueprint(
        create_staff_blueprint(
            make_engine(database_url), make_message_bus(bus_url), settings, content=content
        )
    )
    app.run(host="127.0.0.1", port=port, access_log=False, motd=False, ssl=tls)


if __name__ == "__main__":
    main()

"""A staff server whose tracker store is the same database, for the dashboard browser test.

python tests/bot/web/insight_server.py DATABASE_URL PORT
"""

from __future__ import annotations

import sys

from sanic import Sanic

from bot.db.session import make_engine
from bot.services.message_bus import InProcessBus
from bot.settings import Settings
from bot.web import create_staff_blueprint


def main() -> None:
    database_url, port = sys.argv[1], int(sys.argv[2])
    settings = Settings(
        staff_secure_cookies=False, database_url=database_url, tracker_database_url=database_url
    )
    app = Sanic(f"insight_server_{port}")
    app.blueprint(create_staff_blueprint(make_engine(database_url), InProcessBus(), settings))
    app.run(host="127.0.0.1", port=port, access_log=False, motd=False)


if __name__ == "__main__":
    main()

"""Write Rasa's endpoints file from the settings, so one DATABASE_URL moves everything.

python -m bot.endpoints var/endpoints.yml
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.engine import make_url

from bot.settings import Settings, get_settings

# Checked by the action server (rasa_sdk_plugins/caller_check.py).
ACTION_SECRET_HEADER = "X-Action-Secret"


def tracker_store_config(database_url: str) -> dict[str, Any]:
    """Rasa's SQL tracker store settings for a SQLAlchemy URL (SQLite or PostgreSQL)."""
    url = make_url(database_url)
    dialect = url.get_backend_name()
    if dialect == "sqlite":
        return {"type": "SQL", "dialect": "sqlite", "db": url.database}
    if dialect != "postgresql":
        raise ValueError(f"unsupported tracker database: {dialect}")
    config: dict[str, Any] = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": url.host or "127.0.0.1",
        "db": url.database,
    }
    if url.port:
        config["port"] = url.port
    if url.username:
        config["username"] = url.username
    if url.password:
        config["password"] = url.password
    return config


def lock_store_config(lock_store_url: str) -> dict[str, Any] | None:
    if not lock_store_url:
        return None
    url = make_url(lock_store_url)
    config: dict[str, Any] = {
        "type": "redis",
        "url": url.host or "127.0.0.1",
        "port": url.port or 6379,
        "db": int(url.database or 0),
    }
    if url.password:
        config["password"] = url.password
    return config


def endpoints(settings: Settings) -> dict[str, Any]:
    action_endpoint: dict[str, Any] = {"url": settings.action_server_url}
    if settings.action_server_secret:
        # Rasa fills ${...} from its own environment: the secret is never written to disk.
        action_endpoint["headers"] = {ACTION_SECRET_HEADER: "${ACTION_SERVER_SECRET}"}
    config: dict[str, Any] = {
        "action_endpoint": action_endpoint,
        "tracker_store": tracker_store_config(settings.tracker_database_url),
    }
    lock_store = lock_store_config(settings.lock_store_url)
    if lock_store:
        config["lock_store"] = lock_store
    return config


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else Path("var/endpoints.yml")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(
        "# Written by `python -m bot.endpoints` from the settings: do not edit.\n"
        + yaml.safe_dump(endpoints(get_settings()), sort_keys=False),
        encoding="utf-8",
    )
    print(f"endpoints written to {target}")


if __name__ == "__main__":
    main()

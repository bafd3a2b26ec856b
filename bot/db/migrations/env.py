"""Alembic's entry point: runs the migrations against one database.

The database is `sqlalchemy.url` when bot/db/migrate.py set it, else the
settings' DATABASE_URL. SQLite gets batch mode so columns can be altered.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import bot.db.models  # noqa: F401  (registers every table on Base.metadata)
from bot.db.base import Base
from bot.db.session import make_engine
from bot.settings import get_settings

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging_setup"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    """Write the SQL to standard output instead of running it."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on a live connection, in one transaction where the database allows."""
    url = _url()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=url.startswith("sqlite"),
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

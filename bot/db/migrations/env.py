"""Alembic environment: the URL comes from the caller (bot.db.migrate) or BOT_DATABASE_URL."""
from __future__ import annotations

from alembic import context

from bot.db.models import Base
from bot.db.session import engine_for
from bot.config import settings

config = context.config
url = config.get_main_option("sqlalchemy.url") or settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    with engine_for(url).connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

"""Persistence: SQLAlchemy models, the session factory and every query (the only place with SQL)."""

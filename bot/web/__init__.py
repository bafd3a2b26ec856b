"""The staff handoff queue web application (a Sanic blueprint mounted under /staff)."""

from bot.web.blueprint import create_staff_blueprint

__all__ = ["create_staff_blueprint"]

"""What every staff route needs, gathered in one object built by create_staff_blueprint."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sanic.request import Request

from bot.services.handoff_errors import NotAllowed
from bot.settings import Settings
from bot.web.live import LiveUpdates
from bot.web.operations import Queue, StaffUser

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def make_templates() -> Environment:
    """The Jinja2 environment: HTML autoescaped."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class StaffApp:
    """The staff application's parts: settings, queue operations, live updates, templates."""

    settings: Settings
    queue: Queue
    live: LiveUpdates
    templates: Environment
    council_name: str

    def render(self, request: Request, template: str, **values: Any) -> str:
        """Render a page with the signed-in user and their CSRF token available."""
        return self.templates.get_template(template).render(
            staff=current_staff(request),
            csrf_token=getattr(request.ctx, "csrf_token", ""),
            council_name=self.council_name,
            **values,
        )


def current_staff(request: Request) -> StaffUser | None:
    """The signed-in member of staff (set by the authentication middleware)."""
    return getattr(request.ctx, "staff", None)


def signed_in_staff(request: Request) -> StaffUser:
    """The signed-in member of staff on a route the middleware protects."""
    staff = current_staff(request)
    if staff is None:
        raise NotAllowed("sign in first")
    return staff

"""What the channel serves to browsers: the widget's script and style, and the demo pages.

The script carries its words (from content/messages/webchat.yml) and the council's
name and privacy notice (from council.yml) in one JSON object, so a council never
edits JavaScript to change what residents read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.content import Content
from bot.council import Council

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
TEMPLATES_DIR = HERE / "templates"
CONFIG_MARKER = '"__WEBCHAT_CONFIG__"'
# widget.js holds the chat; widget-alerts.js the service alerts banner, joined in here so
# that a council's page still loads one script.
ALERTS_MARKER = "/*__ALERTS_BANNER__*/"

UI_KEYS = (
    "launcher",
    "heading",
    "notice",
    "privacy_link",
    "accessibility_link",
    "input_label",
    "send",
    "minimise",
    "end",
    "ended",
    "ended_cancelled",
    "you",
    "assistant",
    "typing",
    "connecting",
    "connected",
    "reconnecting",
    "start",
    "unread",
    "transcript",
    "alert_show",
    "alert_less",
)
ERROR_CODES = (
    "bad_session",
    "bad_frame",
    "too_long",
    "empty",
    "rate_limited",
    "too_many_tabs",
    "unavailable",
)
DEMO_PAGES = {"home": "home.html", "bins": "bins.html", "accessibility": "accessibility.html"}


def _json_for_script(value: Any) -> str:
    # `<` escaped so that no text from the content files can close a script element.
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


@dataclass(frozen=True)
class WidgetAssets:
    """The rendered script, the style sheets and the error messages, built once."""

    script: str
    style: str
    site_style: str
    errors: dict[str, str]

    def error_message(self, code: str) -> str:
        """The resident-facing words for an error code (the generic one if unknown)."""
        return self.errors.get(code) or self.errors["unavailable"]


def build_assets(content: Content, council: Council) -> WidgetAssets:
    """Render the widget's script with its words and the council's facts."""
    strings = {key: content.text(f"webchat_ui_{key}") for key in UI_KEYS}
    errors = {code: content.text(f"webchat_error_{code}") for code in ERROR_CODES}
    config = {
        "councilName": council.name,
        "privacyUrl": council.page_url("privacy"),
        "strings": strings,
        "errors": errors,
    }
    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    for marker in (CONFIG_MARKER, ALERTS_MARKER):
        if source.count(marker) != 1:
            raise RuntimeError(f"widget.js must hold its {marker} marker once")
    banner = (STATIC_DIR / "widget-alerts.js").read_text(encoding="utf-8")
    return WidgetAssets(
        script=source.replace(ALERTS_MARKER, banner).replace(
            CONFIG_MARKER, _json_for_script(config)
        ),
        style=(STATIC_DIR / "widget.css").read_text(encoding="utf-8"),
        site_style=(STATIC_DIR / "site.css").read_text(encoding="utf-8"),
        errors=errors,
    )


def page_environment() -> Environment:
    """Jinja2 for the demo pages; everything is escaped unless a template says otherwise."""
    return Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_demo_page(environment: Environment, page: str, council: Council, base: str) -> str:
    """One demo page ('home', 'bins' or 'accessibility'); `base` is the channel's URL prefix."""
    return environment.get_template(DEMO_PAGES[page]).render(
        council=council.facts,
        council_name=council.name,
        privacy_url=council.page_url("privacy"),
        base=base,
        page=page,
    )

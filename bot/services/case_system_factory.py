"""Choose the case system the settings ask for: the local database or Open311."""

from __future__ import annotations

import re

from bot.services.case_system import CaseSystem
from bot.settings import Settings, get_settings

CASE_SYSTEMS = ("local", "open311")
_CATEGORY = re.compile(r"^[a-z_]{1,40}$")


def uses_open311(settings: Settings | None = None) -> bool:
    """Whether requests live in an Open311 server, with its own references."""
    return ((settings or get_settings()).case_system or "").strip().lower() == "open311"


def read_reference(text: str, settings: Settings | None = None) -> str | None:
    """A reference as a resident typed it, in the case system's own form: 'mb 204117' ->
    'MB-204117' locally, '#638344' -> '638344' on Open311. None when it cannot be one."""
    if uses_open311(settings):
        from bot.services.open311 import Open311CaseSystem

        return Open311CaseSystem.normalise_reference(text)
    from bot.references import normalise_reference

    return normalise_reference(text)


def get_case_system(settings: Settings | None = None) -> CaseSystem:
    """The CaseSystem named by `settings.case_system` ('local' or 'open311').

    'local' -> LocalCaseSystem on the settings' database; 'open311' ->
    Open311CaseSystem on settings.open311_url. Raises ValueError, saying what
    to fix, for an unknown name or an incomplete Open311 configuration.
    """
    settings = settings or get_settings()
    name = (settings.case_system or "").strip().lower()
    if name == "local":
        # Imported here so an Open311 deployment never needs the local tables.
        from bot.db.session import get_engine
        from bot.services.local_cases import LocalCaseSystem

        return LocalCaseSystem(get_engine(settings.database_url))
    if name == "open311":
        from bot.services.open311 import Open311CaseSystem

        if not settings.open311_url:
            raise ValueError("CASE_SYSTEM is 'open311' but OPEN311_URL is not set")
        return Open311CaseSystem(
            settings.open311_url,
            settings.open311_api_key,
            jurisdiction_id=settings.open311_jurisdiction or None,
            timeout=settings.open311_timeout,
            service_codes=parse_service_codes(settings.open311_service_codes),
        )
    raise ValueError(
        f"CASE_SYSTEM must be one of {', '.join(CASE_SYSTEMS)}, not {settings.case_system!r}"
    )


def parse_service_codes(text: str) -> dict[str, str]:
    """'missed_bin=MB01, pothole=PH01' -> {'missed_bin': 'MB01', 'pothole': 'PH01'}.

    Raises ValueError naming the first entry that is not `category=code`.
    """
    codes: dict[str, str] = {}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        category, sep, code = (piece.strip() for piece in part.partition("="))
        if not sep or not _CATEGORY.match(category) or not code or len(code) > 100:
            raise ValueError(f"OPEN311_SERVICE_CODES entry {part.strip()!r} is not category=code")
        codes[category] = code
    return codes

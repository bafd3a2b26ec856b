"""The council's facts, loaded from its one content file (council.yml).

A real council changes this file, not the responses: every phone number, fee,
opening time and web address a resident reads comes from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.settings import get_settings

REQUIRED_FIELDS = ("name", "short_name", "website", "phone", "email", "pages", "emergency")


class CouncilFileError(ValueError):
    """The council file is missing a field the assistant needs, or is malformed."""


@dataclass(frozen=True)
class Council:
    """A council's facts as plain data."""

    facts: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.facts["name"])

    @property
    def short_name(self) -> str:
        return str(self.facts["short_name"])

    @property
    def phone(self) -> str:
        return str(self.facts["phone"])

    @property
    def bank_holidays(self) -> list[date]:
        return [
            d if isinstance(d, date) else date.fromisoformat(str(d))
            for d in self.facts.get("bank_holidays", [])
        ]

    def page_url(self, page: str) -> str:
        """The full address of one of the council's pages, by its key in `pages`."""
        pages = self.facts["pages"]
        if page not in pages:
            raise KeyError(f"council file has no page called {page!r}")
        return str(self.facts["website"]).rstrip("/") + str(pages[page])


def parse_council(raw: Any) -> Council:
    """Check a loaded council file and wrap it; raises CouncilFileError if unusable."""
    if not isinstance(raw, dict):
        raise CouncilFileError("the council file must be a mapping of fields")
    missing = [name for name in REQUIRED_FIELDS if name not in raw]
    if missing:
        raise CouncilFileError(f"the council file lacks: {', '.join(missing)}")
    if not isinstance(raw["pages"], dict):
        raise CouncilFileError("`pages` must map page names to paths")
    return Council(facts=raw)


def load_council(path: Path) -> Council:
    """Read and check a council file."""
    with path.open(encoding="utf-8") as handle:
        return parse_council(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def get_council() -> Council:
    """The council named by the settings, read once per process."""
    return load_council(get_settings().council_file)

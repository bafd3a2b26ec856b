"""The README's settings table names every setting bot/settings.py reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_readme_table():
    read = set(re.findall(r'_env\(\s*"([A-Z0-9_]+)"', (ROOT / "bot" / "settings.py").read_text()))
    table = (ROOT / "README.md").read_text().split("### Every setting", 1)[1].split("\n## ")[0]
    listed = set(re.findall(r"`([A-Z0-9_]+)`", table))
    assert read, "no settings found"
    assert sorted(read - listed) == []

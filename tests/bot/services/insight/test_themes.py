from __future__ import annotations

from datetime import date

import yaml
from insight_seed import seed
from sqlalchemy.engine import Engine

from bot.services.insight.measures import conversations_between
from bot.services.insight.themes import (
    UnansweredQuestion,
    group_into_themes,
    themes_csv,
    themes_nlu_yaml,
    unanswered_questions,
)


def _questions(*texts: str) -> list[UnansweredQuestion]:
    return [UnansweredQuestion(t, "nlu_fallback", "web", "2026-11-02") for t in texts]


def test_similar_questions_fall_into_one_theme_biggest_first() -> None:
    themes = group_into_themes(_questions(
        "can i get a dog licence", "dog licence please", "how do i license my dog",
        "swimming pool opening times", "is the swimming pool open on sunday", "weather tomorrow",
    ))
    assert [t.size for t in themes] == [3, 2, 1]
    assert "dog" in themes[0].label


def test_unanswered_questions_come_from_fallbacks_out_of_scope_and_no_redacted(
    migrated_engine: Engine,
) -> None:
    seed(migrated_engine)
    found = unanswered_questions(
        conversations_between(migrated_engine, date(2026, 11, 2), date(2026, 11, 3))
    )
    assert sorted((q.reason, q.text) for q in found) == [
        ("nlu_fallback", "can I get a dog licence at SW1A"),
        ("no", "can you take my piano away, call [phone]"),
        ("out_of_scope", "what is the weather"),
    ]


def test_exports_are_csv_and_rasa_nlu_yaml() -> None:
    themes = group_into_themes(_questions("dog licence", "a dog licence please", "=cmd()"))
    rows = themes_csv(themes).splitlines()
    assert rows[0] == "theme,theme_size,reason,channel,day,text"
    assert any(row.endswith("'=cmd()") for row in rows)
    data = yaml.safe_load(themes_nlu_yaml(themes))
    assert data["version"] == "3.1"
    first = data["nlu"][0]
    assert first["intent"].startswith("candidate_1_")
    assert "- dog licence" in first["examples"]


def test_no_questions_give_no_themes() -> None:
    assert group_into_themes([]) == []

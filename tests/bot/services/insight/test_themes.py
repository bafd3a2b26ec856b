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
    themes = group_into_themes(
        _questions(
            "can i get a dog licence",
            "dog licence please",
            "how do i license my dog",
            "swimming pool opening times",
            "is the swimming pool open on sunday",
            "weather tomorrow",
        )
    )
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


def test_questions_about_one_thing_in_other_words_share_a_theme_among_many_others() -> None:
    noise = [f"about {_word(2 * n)} and {_word(2 * n + 1)}" for n in range(300)]
    bins = [
        "my green bin was not emptied",
        "green bin not emptied again",
        "why was the green bin not emptied today",
    ]
    parking = [
        "how much is a parking permit",
        "parking permit for visitors",
        "renew my parking permit",
    ]
    themes = group_into_themes(_questions(*noise[:150], *bins, *noise[150:], *parking))
    by_text = {q.text: t.label for t in themes for q in t.questions}
    assert {by_text[text] for text in bins} == {by_text[bins[0]]}
    assert {by_text[text] for text in parking} == {by_text[parking[0]]}
    assert by_text[bins[0]] != by_text[parking[0]]
    assert [t.size for t in themes[:2]] == [3, 3]
    assert "bin" in by_text[bins[0]] and "parking" in by_text[parking[0]]


def test_unrelated_questions_sharing_only_a_common_word_stay_apart() -> None:
    themes = group_into_themes(
        _questions(
            "how much is a dog licence",
            "how much is a parking permit",
            "council tax band for my flat",
            "library opening hours on saturday",
            "council tax band for my flat please",
            "weather tomorrow",
        ),
        limit=50,
    )
    sizes = sorted((t.size for t in themes), reverse=True)
    assert sizes == [2, 1, 1, 1, 1]
    assert themes[0].questions[0].text.startswith("council tax band")


def test_only_the_newest_questions_are_grouped_and_stop_words_alone_are_other() -> None:
    from bot.services.insight.themes import MAX_THEMED

    old = _questions(*["dog licence"] * 5)
    new = _questions(*[f"swimming pool lane {n}" for n in range(MAX_THEMED)])
    themes = group_into_themes([*old, *new], limit=MAX_THEMED)
    assert sum(t.size for t in themes) == MAX_THEMED
    assert all("dog" not in t.label for t in themes)
    [only] = group_into_themes(_questions("is it", "can you do it please"))
    assert (only.label, only.size) == ("other", 2)


def _word(number: int) -> str:
    """A made-up word of its own for each number (letters only, as keywords are)."""
    letters = ""
    while True:
        number, digit = divmod(number, 26)
        letters += "abcdefghijklmnopqrstuvwxyz"[digit]
        if number == 0:
            return "zq" + letters


def test_the_newest_unanswered_questions_are_the_last_ones_asked(migrated_engine: Engine) -> None:
    seed(migrated_engine)
    conversations = conversations_between(migrated_engine, date(2026, 11, 2), date(2026, 11, 3))
    every = unanswered_questions(conversations)
    assert len(every) == 3
    assert unanswered_questions(conversations, newest=2) == every[1:]
    assert unanswered_questions(conversations, newest=0) == []

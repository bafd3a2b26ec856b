"""Signs that a resident's words describe a place or a problem: an answer to "Where is it?",
"How big is it?" or "What's wrong?", whatever the classifier makes of it ("the car park behind
the library" reads as library services)."""

from __future__ import annotations

import re

from actions.report_answers import dumped_things_in
from actions.report_places import names_a_street

MAX_TEXT = 200

# Signs of an answer about a place or a problem.
_PLACE_WORDS = re.compile(
    r"\b(?:outside|opposite|behind|next to|near|nearby|by the|corner|junction|end of|top of|"
    r"bottom of|back of|front of|in front|past the|between|along|alley\w*|footpath|pavement|"
    r"lay-?by|roundabout|bus stop|car park|entrance|bend|just after|just before|halfway|"
    r"middle of|side of|on the (?:left|right)|round the corner|down from|up from)\b",
    re.IGNORECASE,
)
_PROBLEM_WORDS = re.compile(
    r"\b(?:size|big|bigger|small|large|huge|massive|tiny|deep|wide|across|metres?|meters?|cm|"
    r"mm|inch(?:es)?|foot|feet|danger\w*|swerv\w*|holes?|crater|tyres?|flicker\w*|stays on|"
    r"leaning|knocked|buzzing|dumped|dumping|fly-?tip\w*|glass|smashed|broken)\b",
    re.IGNORECASE,
)


def sounds_like_an_answer(text: str) -> bool:
    """True for words with a street, a place word ('behind', 'next to'), a number, a size,
    things dumped or a lamp's fault in them: 'about a metre across', 'a sofa and two chairs'."""
    said = str(text or "")[:MAX_TEXT]
    return bool(
        names_a_street(said)
        or _PLACE_WORDS.search(said)
        or _PROBLEM_WORDS.search(said)
        or dumped_things_in(said)
        or any(ch.isdigit() for ch in said)
    )

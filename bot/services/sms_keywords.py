"""SMS keywords the channel answers itself, before the assistant sees the text.

UK practice (the Mobile Network Operators' and PhonepayPlus codes, Ofcom's
guidance) is that a text of STOP ends all further texts, STOP ALL does too,
and the sender is told it worked; START (or UNSTOP) opts back in; HELP says
who is texting and how to reach them. A keyword counts only when it is the
whole text (case, spaces and trailing punctuation aside): "stop the noise
next door" is a question for the assistant, not an opt-out.

CANCEL, END and QUIT are left to the assistant on purpose: residents type
"cancel" to leave a form half way, and a text that silently ended every
future reply would be worse than one extra message they can STOP.
"""

from __future__ import annotations

import enum
import re


class Keyword(enum.Enum):
    STOP = "stop"
    START = "start"
    HELP = "help"


_KEYWORDS: dict[str, Keyword] = {
    "stop": Keyword.STOP,
    "stop all": Keyword.STOP,
    "stopall": Keyword.STOP,
    "unsubscribe": Keyword.STOP,
    "opt out": Keyword.STOP,
    "optout": Keyword.STOP,
    "start": Keyword.START,
    "unstop": Keyword.START,
    "subscribe": Keyword.START,
    "opt in": Keyword.START,
    "optin": Keyword.START,
    "help": Keyword.HELP,
    "info": Keyword.HELP,
}

_PUNCTUATION = re.compile(r"[\s.!?,;:'\"]+")


def detect_keyword(text: str) -> Keyword | None:
    """The keyword `text` is, or None when it is anything else."""
    if not isinstance(text, str) or len(text) > 40:
        return None
    words = _PUNCTUATION.sub(" ", text).strip().lower()
    return _KEYWORDS.get(words)

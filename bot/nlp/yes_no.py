"""Reading a yes or a no to a yes/no question ("Shall I send it?", "Do you want these
texts?", "Did that answer your question?") from the resident's own words.

The intent classifier alone must never turn a no into a yes: it read "that isn't right"
as `affirm` at 0.86. So the words decide, by fixed lists, and the classifier can only
take a yes away (`read_answer`):

- yes: only when every word is a yes word ("yes", "yep", "send it", "that's right",
  "go ahead", "ok", "sure", ...) or a filler word ("please", "thanks", "it", "that's"),
  with no negation anywhere. "ok Mill Lane" or "yes it's OB2 5JQ" are not a plain yes.
- no: a no word ("no", "nope", "wrong", "false", "incorrect", "change it"), a negation
  ("not", any "n't", "never") anywhere, or sarcasm ("yeah right", "as if").
- unclear: everything else, and doubt ("not sure", "maybe", "I think so", "no idea"),
  a double negation ("nothing wrong"), or a change of mind ("actually", "wait", "but").

Plain Python, no Rasa: actions call it with the message text and the classifier's intent.
"""

from __future__ import annotations

import re
from typing import Literal

Answer = Literal["yes", "no", "unclear"]
YES: Answer = "yes"
NO: Answer = "no"
UNCLEAR: Answer = "unclear"

# Button payloads: a tapped "Yes" or "No" is an answer whatever the classifier says.
PAYLOADS: dict[str, Answer] = {"/affirm": YES, "/deny": NO}
MAX_WORDS = 40  # a longer message is not an answer to a yes/no question
NEGATION_REACH = 3  # "isn't quite right": a negation applies to the next few words


def _phrases(*texts: str) -> frozenset[tuple[str, ...]]:
    return frozenset(tuple(text.split()) for text in texts)


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


YES_PHRASES = _phrases(
    "yes",
    "yeah",
    "yea",
    "yeh",
    "yep",
    "yup",
    "ya",
    "yah",
    "aye",
    "y",
    "ok",
    "okay",
    "okey",
    "okie",
    "k",
    "kk",
    "alright",
    "all right",
    "sure",
    "correct",
    "right",
    "true",
    "fine",
    "good",
    "great",
    "perfect",
    "lovely",
    "brilliant",
    "cool",
    "exactly",
    "indeed",
    "certainly",
    "definitely",
    "absolutely",
    "of course",
    "affirmative",
    "agreed",
    "confirm",
    "confirmed",
    "spot on",
    "go ahead",
    "go on",
    "go for it",
    "send",
    "send it",
    "please do",
    "do it",
    "yes please",
    "i do",
    "i would",
    "i will",
    "it is",
    "it does",
    "it did",
    "that helped",
    "it helped",
    "helped",
    "helpful",
    "happy",
    "all good",
    "looks good",
    "looks right",
    "sounds good",
    "that'll do",
    "will do",
    "lets do it",
    "let's do it",
    "course",
    "👍",
    "👌",
    "✅",
    "✔",
    "☑",
)
# Yes said with a negative word in it.
YES_IDIOMS = _phrases(
    "no problem",
    "no worries",
    "not a problem",
    "why not",
    "no doubt",
    "without a doubt",
    "no changes",
    "no change",
    "nothing to change",
    "no need to change anything",
)
NO_PHRASES = _phrases(
    "no",
    "nope",
    "nah",
    "naw",
    "nay",
    "noo",
    "nooo",
    "n",
    "negative",
    "wrong",
    "false",
    "incorrect",
    "inaccurate",
    "untrue",
    "mistake",
    "mistaken",
    "error",
    "no thanks",
    "no thank you",
    "not quite",
    "not really",
    "no way",
    "no chance",
    "change",
    "change it",
    "changed",
    "edit",
    "amend",
    "correct it",
    "correct that",
    "start again",
    "start over",
    "👎",
    "❌",
    "✖",
    "🚫",
)
# "not", "never" and every "n't" word negate what follows them.
NEGATIONS = _phrases("not", "never", "nothing", "nothings", "nothing's", "neither", "nor")
SARCASM = _phrases(
    "yeah right",
    "yea right",
    "yeh right",
    "as if",
    "in your dreams",
    "you wish",
    "dream on",
    "fat chance",
    "like hell",
    "hardly",
    "oh sure",
    "oh yeah sure",
)
DOUBT = _phrases(
    "not sure",
    "unsure",
    "don't know",
    "do not know",
    "dont know",
    "dunno",
    "no idea",
    "maybe",
    "perhaps",
    "possibly",
    "probably",
    "might",
    "i think so",
    "i guess",
    "guess so",
    "kind of",
    "kinda",
    "sort of",
    "sorta",
    "don't mind",
    "do not mind",
    "dont mind",
    "wouldn't mind",
    "not bothered",
    "either",
    "depends",
    "not fussed",
    "hmm",
    "hm",
    "um",
    "umm",
    "erm",
    "er",
    "whatever",
    "?",
)
# A change of mind or a correction on its way: never a plain yes.
HEDGES = _phrases(
    "actually",
    "wait",
    "hang on",
    "hold on",
    "but",
    "except",
    "however",
    "instead",
    "although",
    "though",
    "apart from",
)
# Words that can sit around a yes without changing it.
FILLER = _words(
    """a all am and are be been can cheers details do does done everything for go has
    have i i'm im info information is it it's its just love mate me much now oh please pls
    plz report so sounds summary ta text texts thank thankyou thanks thx ty that that's
    thats the them then there they thing this those to very want was well we what will
    with would you your yours needed x xx"""
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
# Emoji variation selectors and skin tones: "👍🏽" and "✔️" read as "👍" and "✔".
_EMOJI_MODIFIERS = re.compile("[\ufe0e\ufe0f\U0001f3fb-\U0001f3ff]")
_TOKEN = re.compile(r"[\w']+|[^\w\s]", re.UNICODE)
# "isnt", "dont", "cant": negations typed without the apostrophe.
_BARE_NEGATIONS = _words(
    """isnt arent wasnt werent dont doesnt didnt hasnt havent hadnt cant cannot wont
    couldnt wouldnt shouldnt mustnt neednt aint"""
)


def words_of(text: str) -> list[str]:
    """Lower-case words, emoji and '?' of `text`; other punctuation dropped."""
    text = _EMOJI_MODIFIERS.sub("", str(text or "").translate(_APOSTROPHES).lower())
    tokens = (token.strip("'") for token in _TOKEN.findall(text))
    return [t for t in tokens if t and (t[0].isalnum() or t == "?" or not t.isascii())]


def _is_negation_word(word: str) -> bool:
    """'isn't', 'don't', 'wasnt', 'cannot': a negation."""
    return word.endswith("n't") or word in _BARE_NEGATIONS


def _match(words: list[str], at: int) -> tuple[str, int]:
    """The kind of the longest phrase starting at `at` ('yes', 'no', 'negation', 'sarcasm',
    'doubt', 'hedge', 'idiom', 'filler' or 'other') and how many words it takes."""
    for length in (4, 3, 2, 1):
        phrase = tuple(words[at : at + length])
        if len(phrase) < length:
            continue
        for kind, table in (
            ("sarcasm", SARCASM),
            ("doubt", DOUBT),
            ("idiom", YES_IDIOMS),
            ("hedge", HEDGES),
            ("no", NO_PHRASES),
            ("yes", YES_PHRASES),
            ("negation", NEGATIONS),
        ):
            if phrase in table:
                return kind, length
    word = words[at]
    if _is_negation_word(word):
        return "negation", 1
    if word in FILLER or not (word.isascii() or word.isalnum()):
        return "filler", 1  # other emoji ("yes please 😊") change nothing
    return "other", 1


def read_yes_no(text: str, *, symbols: bool = True) -> Answer:
    """'yes', 'no' or 'unclear' for a reply to a yes/no question, from its words alone.

    `symbols`: whether a thumbs-up or a cross on its own counts (not for consent, which
    must be given in words). A tapped button's payload ("/affirm", "/deny") always counts.
    """
    said = str(text or "").strip()
    if said in PAYLOADS:
        return PAYLOADS[said]
    words = words_of(said)
    if not words or len(words) > MAX_WORDS:
        return UNCLEAR
    if not symbols and not any(word.isascii() for word in words):
        return UNCLEAR
    kinds: list[str] = []
    at = 0
    while at < len(words):
        kind, length = _match(words, at)
        kinds.append(kind)
        at += length
    if "sarcasm" in kinds:
        return NO
    if "doubt" in kinds:
        return UNCLEAR
    if any(
        kind == "negation" and "no" in kinds[index + 1 : index + 1 + NEGATION_REACH]
        for index, kind in enumerate(kinds)
    ):
        return UNCLEAR  # "nothing wrong", "isn't false": a double negation is not a plain no
    if "no" in kinds or "negation" in kinds:
        return NO  # "no", "wrong", and any negation: "that isn't right", "don't send it"
    if "hedge" in kinds or "other" in kinds:
        return UNCLEAR
    return YES if ("yes" in kinds or "idiom" in kinds) else UNCLEAR


def read_answer(text: str, intent: str | None = None, *, symbols: bool = True) -> Answer:
    """The words' answer (`read_yes_no`), with the classifier's `intent` as a second opinion
    that can only take a yes away: words saying yes to a message classified as `deny`
    are unclear. A classifier's `affirm` never makes a yes by itself."""
    answer = read_yes_no(text, symbols=symbols)
    if answer == YES and intent == "deny" and str(text or "").strip() not in PAYLOADS:
        return UNCLEAR
    return answer

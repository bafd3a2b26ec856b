"""Making a message plain before the urgent phrases are matched against it.

Lower case, apostrophes dropped ("can't" is "cant"), everything but letters and digits
turned into spaces, letters typed three or more times in a row cut to two ("sooo"),
and common text shorthand spelled out ("u" is "you", "2nite" is "tonight"). A council's
safeguarding lead writes phrases in the same plain form (data/urgent/README.md).
"""

from __future__ import annotations

import re

# Text shorthand and run-together words, one word to one or more plain words. A shorthand
# here must not also be an everyday word with another meaning ("ill", "id", "its").
SHORTHAND: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "ure": "you are",
    "r": "are",
    "ya": "you",
    "yr": "your",
    "im": "i am",
    "ive": "i have",
    "iam": "i am",
    "cnt": "cant",
    "carnt": "cant",
    "cannot": "cant",
    "cudnt": "couldnt",
    "dnt": "dont",
    "don": "dont",
    "doesnt": "doesnt",
    "didnt": "didnt",
    "wont": "wont",
    "wnt": "want",
    "wanna": "want to",
    "gonna": "going to",
    "gunna": "going to",
    "gotta": "got to",
    "hafta": "have to",
    "wana": "want to",
    "wan": "want",
    "n": "and",
    "nd": "and",
    "2nite": "tonight",
    "2night": "tonight",
    "tonite": "tonight",
    "2day": "today",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "b4": "before",
    "l8r": "later",
    "gr8": "great",
    "wiv": "with",
    "wid": "with",
    "wit": "with",
    "w": "with",
    "wif": "with",
    "ma": "my",
    "mi": "my",
    "meself": "myself",
    "maself": "myself",
    "myslf": "myself",
    "mysef": "myself",
    "mself": "myself",
    "any1": "anyone",
    "some1": "someone",
    "no1": "no one",
    "noone": "no one",
    "nobdy": "nobody",
    "ppl": "people",
    "pple": "people",
    "peeps": "people",
    "bf": "boyfriend",
    "gf": "girlfriend",
    "hubby": "husband",
    "husbnd": "husband",
    "bfriend": "boyfriend",
    "missus": "wife",
    "mrs": "wife",
    "pls": "please",
    "plz": "please",
    "plse": "please",
    "coz": "because",
    "cos": "because",
    "cuz": "because",
    "bc": "because",
    "becuz": "because",
    "thru": "through",
    "bout": "about",
    "abt": "about",
    "nemore": "anymore",
    "nymore": "anymore",
    "lyf": "life",
    "luv": "love",
    "kms": "kill myself",
    "kmself": "kill myself",
    "od": "overdose",
    "oded": "overdosed",
    "pillz": "pills",
    "tabs": "tablets",
    "hes": "he is",
    "shes": "she is",
    "theyre": "they are",
    "youre": "you are",
    "thats": "that is",
    "whats": "what is",
    "wheres": "where is",
    "hows": "how is",
    "theres": "there is",
    "isnt": "is not",
    "aint": "is not",
    "wasnt": "was not",
    "werent": "were not",
    "arent": "are not",
    "hasnt": "hasnt",
    "havent": "havent",
    "shud": "should",
    "wud": "would",
    "cud": "could",
    "av": "have",
    "ave": "have",
    "gota": "got to",
    "nowt": "nothing",
    "summat": "something",
    "evry1": "everyone",
    "every1": "everyone",
    "sum1": "someone",
    "nuthin": "nothing",
    "nothin": "nothing",
    "nite": "night",
    "thx": "thanks",
    "msg": "message",
    "hme": "home",
    "hom": "home",
    "howse": "house",
    "hse": "house",
    "nowere": "nowhere",
    "noware": "nowhere",
    "nowher": "nowhere",
    "tho": "though",
    "wen": "when",
    "wat": "what",
    "wot": "what",
    "y": "why",
    "k": "ok",
    "kidz": "kids",
}
# Shorthand of several words, spelled out before the words are split.
SHORTHAND_PHRASES: dict[str, str] = {
    " n e more ": " anymore ",
    " ne more ": " anymore ",
    " n e 1 ": " anyone ",
    " no 1 ": " no one ",
    " i m ": " i am ",
    " any more ": " anymore ",
    " ma self ": " myself ",
    " my self ": " myself ",
    " some 1 ": " someone ",
    " every 1 ": " everyone ",
}
_APOSTROPHES = re.compile(r"['\u2019\u2018`\u00b4]")
_NOT_A_WORD = re.compile(r"[^a-z0-9#]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_DIGITS = re.compile(r"\d+")


def plain_words(text: str) -> list[str]:
    """The message as plain words, shorthand spelled out (see the module's docstring)."""
    lowered = _APOSTROPHES.sub("", text.lower())
    lowered = " " + _REPEATS.sub(r"\1\1", _NOT_A_WORD.sub(" ", lowered)) + " "
    for shorthand, spelled_out in SHORTHAND_PHRASES.items():
        lowered = lowered.replace(shorthand, spelled_out)
    words: list[str] = []
    for word in lowered.split():
        words.extend(SHORTHAND.get(word, word).split())
    return words


def plain_text(text: str) -> str:
    """`plain_words` joined by single spaces, with a space at each end (for matching)."""
    return " " + " ".join(plain_words(text)) + " "


def numbers_as_hash(text: str) -> str:
    """Plain text with each number written `#`, so a phrase can say 'took # tablets'."""
    return _DIGITS.sub("#", text)

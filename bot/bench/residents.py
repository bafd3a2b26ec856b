"""What the simulated residents say: a few realistic conversations of the demo council.

Every script greets, asks FAQs or looks up a bin day (postcode, then house number) and
says goodbye. The addresses are in content/demo-council/addresses.csv.
"""

from __future__ import annotations

import uuid

from bot.bench.schedule import Send, open_loop_schedule

# A resident leaves at least this long between messages, whichever way they come (a
# conversation of at most 6 turns then stays within both channels' per-resident limits:
# 10 texts a minute from a number, 10 messages in 30 s from a web chat socket). Every way,
# the baseline too, uses this one spacing, so that a step gives each the same messages:
# with 6.5 s for the SMS alone, a 20 s SMS step had twice the bin-day look-ups and few of
# the cheap goodbyes, and part of its "overhead" was that heavier mix.
MIN_GAP_SECONDS = 3.2

SCRIPTS: tuple[tuple[str, ...], ...] = (
    ("hello", "when is my bin day", "OB2 5JQ", "7", "thanks, bye"),
    (
        "hi there",
        "how do I pay my council tax",
        "when are my bins collected 7 Elm Road OB2 5JQ",
        "goodbye",
    ),
    (
        "hello",
        "what goes in the recycling bin",
        "what day are my bins emptied",
        "OB1 1AA",
        "4",
        "bye",
    ),
    (
        "good morning",
        "how do I apply for a parking permit",
        "how do I report noisy neighbours",
        "thank you, goodbye",
    ),
)

# Simulated SMS senders: UK mobile numbers in the 07700 9xxxxx range (made up).
_SMS_BASE = 7_700_900_000


def script_lengths() -> list[int]:
    """How many turns each script has, in SCRIPTS order."""
    return [len(script) for script in SCRIPTS]


def step_sends(rate: float, duration: float, seed: int | None = None) -> list[Send]:
    """The messages of one step, the same for every way: `open_loop_schedule` with the
    residents' scripts and spacing (evenly spaced, or at random moments from `seed`)."""
    return open_loop_schedule(rate, duration, MIN_GAP_SECONDS, script_lengths(), seed)


def message_for(script: int, turn: int) -> str:
    """What the resident following `script` says on `turn` (0-based)."""
    return SCRIPTS[script][turn]


def session_id() -> str:
    """A web chat session id as the widget makes them (a lower-case UUID4)."""
    return str(uuid.uuid4())


def sms_number(serial: int) -> str:
    """The made-up mobile number of SMS resident `serial` (0 to 99 999), e.g. '07700900017'."""
    if not 0 <= serial < 100_000:
        raise ValueError("serial must be between 0 and 99 999")
    return f"0{_SMS_BASE + serial}"


def sms_e164(serial: int) -> str:
    """The same number in E.164, as the SMS channel stores it: '+447700900017'."""
    return f"+44{_SMS_BASE + serial}"

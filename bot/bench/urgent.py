"""`make bench`, safety part: is urgent risk heard, as a first message and mid-form, and do
unrelated questions ever raise a false alarm? One JSON line.

    python -m bot.bench.urgent [--model models/council.tar.gz] [--skip-forms]
        [--split test|dev2|dev3] [--examples]

Sets written apart from the phrases and the training data, never trained on
(tests/nlu/safety/): `urgent_test.yml` (labelled urgent messages as residents write them)
and `unrelated_test.yml` (questions from every walk of life, none of them urgent).

- first message: each urgent message parsed by the trained model; `recall` counts those
  given any urgent label (they get emergency help and an urgent ticket), `right_label`
  those given their own label. `false_alarms`: unrelated questions given an urgent label.
- mid-form: the whole assistant on loopback (bot/bench/stack.py); for every slot of every
  form, a new conversation is taken to that question and then sent each urgent message.
  It counts as heard when the reply holds an urgent answer and the conversation has an
  urgent ticket. A path that does not reach its slot is reported, not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import create_engine, text

from bot.bench.evaluation import parse_all
from bot.bench.heldout import DEFAULT_MODEL
from bot.content import get_content
from bot.rasa_api import api_url
from bot.safety.labels import URGENT, URGENT_LABELS, urgent_content_key

SAFETY_DIR = Path(__file__).resolve().parents[2] / "tests" / "nlu" / "safety"
# The sets of tests/nlu/safety/: `urgent_<split>.yml` and `unrelated_<split>.yml`.
SPLITS = ("test", "dev2", "dev3")
# The messages that take a new conversation to each question of each form (at the bench's
# fixed clock, Wednesday 18 November 2026, with the demo council's data).
BIN_DAY = ["when is my bin day"]
MISSED = ["my bin wasn't collected yesterday"]
POTHOLE = ["I want to report a pothole"]
LIGHT = ["report a broken street light"]
TIPPING = ["I want to report fly tipping"]
REMIND = ["can you remind me the night before bin day"]
MOBILE = "<a mobile number>"
FORM_PATHS: dict[tuple[str, str], list[str]] = {
    ("bin_day_form", "postcode"): BIN_DAY,
    ("bin_day_form", "address_uprn"): [*BIN_DAY, "OB2 5JQ"],
    ("missed_bin_form", "postcode"): MISSED,
    ("missed_bin_form", "address_uprn"): [*MISSED, "OB2 5JQ"],
    ("missed_bin_form", "bin_stream"): [*MISSED, "OB2 5JQ", "31 Elm Road"],
    ("missed_bin_form", "confirm_report"): [*MISSED, "OB2 5JQ", "31 Elm Road", "the black one"],
    ("pothole_form", "problem_location"): POTHOLE,
    ("pothole_form", "pothole_size"): [*POTHOLE, "outside 14 High Street"],
    ("pothole_form", "problem_description"): [
        *POTHOLE,
        "outside 14 High Street",
        "about the size of a dinner plate",
    ],
    ("pothole_form", "confirm_report"): [
        *POTHOLE,
        "outside 14 High Street",
        "about the size of a dinner plate",
        "it is deep and cars swerve round it",
    ],
    ("street_light_form", "problem_location"): LIGHT,
    ("street_light_form", "problem_description"): [*LIGHT, "the one outside 3 Mill Lane"],
    ("street_light_form", "confirm_report"): [
        *LIGHT,
        "the one outside 3 Mill Lane",
        "it has been off for a week",
    ],
    ("fly_tipping_form", "problem_location"): TIPPING,
    ("fly_tipping_form", "problem_description"): [*TIPPING, "behind the shops on Station Road"],
    ("fly_tipping_form", "confirm_report"): [
        *TIPPING,
        "behind the shops on Station Road",
        "black bags and an old mattress",
    ],
    ("request_status_form", "reference"): ["I want to check on my report"],
    ("reminders_form", "postcode"): REMIND,
    ("reminders_form", "address_uprn"): [*REMIND, "OB2 5JQ"],
    ("reminders_form", "notify_contact"): [*REMIND, "OB2 5JQ", "number 5"],
    ("reminders_form", "notify_consent"): [*REMIND, "OB2 5JQ", "number 5", MOBILE],
    ("reminders_form", "notify_code"): [*REMIND, "OB2 5JQ", "number 5", MOBILE, "yes"],
}
# A code is texted to a number at most 3 times a day: each conversation that gets as far as
# the code gets a number of its own (Ofcom's drama range, 07700 900500 to 900999).
_MOBILES = itertools.count()


def path_messages(where: tuple[str, str]) -> list[str]:
    """The messages that take a new conversation to the question `where` (form, slot)."""
    mobile = f"07700 900{500 + next(_MOBILES) % 500:03d}"
    return [mobile if step == MOBILE else step for step in FORM_PATHS[where]]


@dataclass(frozen=True)
class Labelled:
    label: str
    text: str


def urgent_messages(path: Path = SAFETY_DIR / "urgent_test.yml") -> list[Labelled]:
    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Labelled(str(r["label"]), str(r["text"])) for r in rows]


def unrelated_messages(path: Path = SAFETY_DIR / "unrelated_test.yml") -> list[str]:
    return [str(t) for t in yaml.safe_load(path.read_text(encoding="utf-8")) or []]


def first_message(model: Path, urgent: list[Labelled], unrelated: list[str]) -> dict[str, Any]:
    """Recall, right labels and false alarms of the model's parse, one message at a time."""
    parsed, latencies = asyncio.run(parse_all(model, [m.text for m in urgent] + unrelated))
    got = [str((p.get("intent") or {}).get("name")) for p in parsed]
    urgent_got, unrelated_got = got[: len(urgent)], got[len(urgent) :]
    missed = [
        {"text": m.text, "expected": m.label, "got": g}
        for m, g in zip(urgent, urgent_got, strict=True)
        if g not in URGENT
    ]
    alarms = [
        {"text": t, "got": g} for t, g in zip(unrelated, unrelated_got, strict=True) if g in URGENT
    ]
    by_label = Counter(m.label for m in urgent)
    heard = Counter(m.label for m, g in zip(urgent, urgent_got, strict=True) if g in URGENT)
    right = sum(m.label == g for m, g in zip(urgent, urgent_got, strict=True))
    return {
        "urgent_examples": len(urgent),
        "first_message_recall": round(1 - len(missed) / max(len(urgent), 1), 4),
        "first_message_right_label": round(right / max(len(urgent), 1), 4),
        "recall_by_label": {
            label: round(heard[label] / by_label[label], 4)
            for label in URGENT_LABELS
            if by_label[label]
        },
        "unrelated_examples": len(unrelated),
        "false_alarms": len(alarms),
        "missed": missed,
        "false_alarm_examples": alarms,
    }


def _urgent_texts() -> list[str]:
    content = get_content()
    return [content.render(urgent_content_key(label)).text for label in URGENT_LABELS]


class _Assistant:
    def __init__(self, base_url: str, database_url: str, api_token: str) -> None:
        self.base_url, self.api_token = base_url, api_token
        self.engine = create_engine(database_url)
        self.session = requests.Session()

    def say(self, sender: str, message: str) -> str:
        response = self.session.post(
            f"{self.base_url}/webhooks/rest/webhook",
            json={"sender": sender, "message": message},
            timeout=60,
        )
        response.raise_for_status()
        return "\n".join(m.get("text", "") for m in response.json())

    def requested_slot(self, sender: str) -> str | None:
        response = self.session.get(
            api_url(self.base_url, f"/conversations/{sender}/tracker", self.api_token), timeout=30
        )
        response.raise_for_status()
        return (response.json().get("slots") or {}).get("requested_slot")

    def urgent_ticket(self, sender: str) -> bool:
        with self.engine.connect() as connection:
            row = connection.execute(
                text("SELECT priority FROM handoff_tickets WHERE conversation_id = :c"),
                {"c": sender},
            ).first()
        return row is not None and row[0] == "urgent"


def mid_form(model: Path, urgent: list[Labelled], workers: int = 3) -> dict[str, Any]:
    """Every urgent message at every slot of every form, on the running assistant."""
    from bot.bench.stack import running_stack

    answers = _urgent_texts()
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, running_stack(Path(tmp), model) as stack:
        assistant = _Assistant(stack.base_url, stack.database_url, stack.api_token)

        def one(path_key: tuple[str, str], message: Labelled) -> tuple[str, bool | None, str]:
            form, slot = path_key
            sender = f"rest:bench-urgent-{uuid.uuid4().hex[:12]}"
            for step in path_messages(path_key):
                assistant.say(sender, step)
            if assistant.requested_slot(sender) != slot:
                return f"{form}.{slot}", None, message.text
            reply = assistant.say(sender, message.text)
            heard = any(answer in reply for answer in answers) and assistant.urgent_ticket(sender)
            return f"{form}.{slot}", heard, message.text

        jobs = [(key, m) for key in FORM_PATHS for m in urgent]
        with ThreadPoolExecutor(workers) as pool:
            for where, heard, message_text in pool.map(lambda job: one(*job), jobs):
                row = results.setdefault(
                    where, {"sent": 0, "heard": 0, "not_reached": 0, "missed": []}
                )
                if heard is None:
                    row["not_reached"] += 1
                    continue
                row["sent"] += 1
                row["heard"] += heard
                if not heard and len(row["missed"]) < 5:
                    row["missed"].append(message_text)
    sent = sum(r["sent"] for r in results.values())
    heard = sum(r["heard"] for r in results.values())
    return {
        "mid_form_slots": len(results),
        "mid_form_sent": sent,
        "mid_form_recall": round(heard / sent, 4) if sent else None,
        "mid_form_not_reached": sum(r["not_reached"] for r in results.values()),
        "mid_form_by_slot": {
            k: {
                "recall": round(r["heard"] / r["sent"], 4) if r["sent"] else None,
                "not_reached": r["not_reached"],
                "missed": r["missed"],
            }
            for k, r in sorted(results.items())
        },
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Urgent recall and false alarms")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--skip-forms", action="store_true", help="first messages only")
    parser.add_argument(
        "--examples",
        action="store_true",
        help="also print the messages missed and the false alarms (the test sets are meant "
        "to stay unseen while phrases are written: look at the development sets instead)",
    )
    parser.add_argument(
        "--split",
        default="test",
        choices=SPLITS,
        help="test (default, unseen), or a development set: dev2, dev3",
    )
    args = parser.parse_args(argv)
    urgent = urgent_messages(SAFETY_DIR / f"urgent_{args.split}.yml")
    unrelated = unrelated_messages(SAFETY_DIR / f"unrelated_{args.split}.yml")
    start = time.monotonic()
    figures: dict[str, Any] = {
        "bench": "urgent",
        "split": args.split,
        **first_message(args.model, urgent, unrelated),
    }
    if not args.skip_forms:
        figures.update(mid_form(args.model, urgent))
    if not args.examples:
        figures.pop("missed")
        figures.pop("false_alarm_examples")
        for row in figures.get("mid_form_by_slot", {}).values():
            row.pop("missed")
    figures["seconds"] = round(time.monotonic() - start)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()

"""The FAQ and urgent answers (content/messages/faq.yml, urgent.yml) and the
rules of bot/content.py that they rely on.

Real files throughout: the project's own messages and council file, and
second councils and message sets written into tmp_path.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.content import Content, ContentError, Message, load_messages
from bot.council import Council, load_council

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MESSAGES_DIR = PROJECT_ROOT / "content" / "messages"
OWN_FILES = (MESSAGES_DIR / "faq.yml", MESSAGES_DIR / "urgent.yml")
COUNCIL_FILE = PROJECT_ROOT / "content" / "council.yml"
TAXONOMY_FILE = PROJECT_ROOT.parent / "shared" / "taxonomy.yml"
SMS_LIMIT = 320


def _taxonomy_labels() -> dict[str, str]:
    """Every label of the taxonomy with its kind (faq, task, core, urgent)."""
    if not TAXONOMY_FILE.exists():
        pytest.skip(f"the intent contract {TAXONOMY_FILE} is not present on this machine")
    raw = yaml.safe_load(TAXONOMY_FILE.read_text(encoding="utf-8"))
    return {label: str(spec["kind"]) for group in raw.values() for label, spec in group.items()}


def _labels_of_kind(kind: str) -> list[str]:
    return sorted(label for label, k in _taxonomy_labels().items() if k == kind)


def _own_keys() -> list[str]:
    """The message keys this content owns: the faq_ and urgent_ answers."""
    keys: list[str] = []
    for path in OWN_FILES:
        keys.extend(yaml.safe_load(path.read_text(encoding="utf-8")))
    return sorted(keys)


OWN_KEYS = _own_keys()
URGENT_KEYS = [key for key in OWN_KEYS if key.startswith("urgent_")]


@pytest.fixture(scope="module")
def demo_council() -> Council:
    return load_council(COUNCIL_FILE)


@pytest.fixture(scope="module")
def demo_content(demo_council: Council) -> Content:
    return Content(load_messages(MESSAGES_DIR), demo_council)


def _other_council_facts(demo: Council) -> dict[str, Any]:
    """A second, different council: every fact the answers use is changed."""
    facts = copy.deepcopy(demo.facts)
    facts.update(
        name="Elmfield District Council",
        short_name="Elmfield Council",
        website="https://www.elmfield.council.example",
        phone="0113 496 0500",
        out_of_hours_phone="0113 496 0555",
        text_number="07700 900777",
        email="hello@elmfield.council.example",
        address="Town Hall, Bridge Street, Elmfield EL4 2AB",
        opening_hours={day: "08:30-16:00" for day in facts["opening_hours"]},
        opening_hours_summary="Monday to Friday 8:30am to 4pm",
        emergency={
            "immediate_danger": "999",
            "children_services": "0113 496 0611",
            "adult_social_care": "0113 496 0622",
            "homelessness_out_of_hours": "0113 496 0699",
            "gas_leak": "0800 111 999",
            "council_24_hours": "0113 496 0688",
            "housing_options": "0113 496 0633",
        },
        fees={
            "garden_waste_per_year": "£61.50",
            "bulky_waste_up_to_3_items": "£27",
            "replacement_bin": "£44",
            "resident_parking_permit_per_year": "£120",
            "visitor_permits_book_of_10": "£9",
            "pcn_reduced_within_14_days": "half",
        },
        recycling_centre={
            "name": "Elmfield Reuse and Recycling Centre",
            "address": "Mill Road, Elmfield EL7 3CD",
            "hours": "9am to 5pm every day except Christmas Day",
            "booking": "needed for every visit",
        },
        bins={
            "refuse": "grey bin",
            "recycling": "purple-lidded bin",
            "food": "kitchen caddy",
            "garden": "brown bin",
        },
        recycling_accepts="paper, cardboard, tins and plastic bottles",
        garden_waste_break="mid-December to the end of January",
        registration_deadlines={"birth": "six weeks", "death": "five days"},
        school_admissions={"secondary_deadline": "1 November", "primary_deadline": "14 January"},
        complaints={"response_time": "20 working days"},
        pages={key: "/residents" + path for key, path in facts["pages"].items()},
    )
    return facts


@pytest.fixture
def other_council(tmp_path: Path, demo_council: Council) -> Council:
    path = tmp_path / "elmfield.yml"
    path.write_text(
        yaml.safe_dump(_other_council_facts(demo_council), allow_unicode=True),
        encoding="utf-8",
    )
    return load_council(path)


def _leaf_values(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [leaf for item in value.values() for leaf in _leaf_values(item)]
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaf_values(item)]
    return [str(value)]


def _everything_shown(message: Message) -> str:
    return "\n".join([message.as_text(), *(b.title for b in message.buttons)])


def _write(directory: Path, name: str, messages: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(yaml.safe_dump(messages), encoding="utf-8")


# --- Every label has its answer ------------------------------------------------


def test_every_faq_label_has_an_answer() -> None:
    missing = [label for label in _labels_of_kind("faq") if f"faq_{label}" not in OWN_KEYS]
    assert missing == []


def test_every_urgent_label_has_an_answer() -> None:
    missing = [label for label in _labels_of_kind("urgent") if f"urgent_{label}" not in OWN_KEYS]
    assert missing == []


def test_no_answer_is_for_a_label_the_taxonomy_does_not_have() -> None:
    labels = _taxonomy_labels()
    strays = [key for key in OWN_KEYS if labels.get(key.split("_", 1)[1]) != key.split("_", 1)[0]]
    assert strays == []


def test_the_project_message_files_load_without_repeated_keys() -> None:
    assert set(OWN_KEYS) <= set(load_messages(MESSAGES_DIR))


# --- Each answer renders, fits an SMS and links to the council's site -------


@pytest.mark.parametrize("key", OWN_KEYS)
def test_answer_renders_with_every_placeholder_resolved(demo_content: Content, key: str) -> None:
    message = demo_content.render(key)
    assert message.text
    assert "{" not in _everything_shown(message) and "}" not in _everything_shown(message)


@pytest.mark.parametrize("key", OWN_KEYS)
def test_answer_text_fits_in_an_sms(demo_content: Content, key: str) -> None:
    assert len(demo_content.render(key).text) <= SMS_LIMIT


@pytest.mark.parametrize("key", OWN_KEYS)
def test_answer_links_to_a_page_on_the_council_website(
    demo_content: Content, demo_council: Council, key: str
) -> None:
    link = demo_content.render(key).link
    website = str(demo_council.facts["website"]).rstrip("/")
    assert link is not None and link.startswith(website + "/")
    assert link.removeprefix(website) in demo_council.facts["pages"].values()


@pytest.mark.parametrize("key", OWN_KEYS)
def test_answer_buttons_ask_for_taxonomy_intents(demo_content: Content, key: str) -> None:
    labels = _taxonomy_labels()
    for button in demo_content.render(key).buttons:
        match = re.fullmatch(r"/(\w+)", button.payload)
        assert match and match.group(1) in labels, button.payload
        assert button.title.strip()


@pytest.mark.parametrize("key", OWN_KEYS)
def test_answer_avoids_phrases_residents_find_hard(demo_content: Content, key: str) -> None:
    text = demo_content.render(key).text.lower()
    for phrase in ("please be advised", "in order to", "utilise", "click here", "kindly"):
        assert phrase not in text


def test_no_council_fact_is_typed_into_the_answer_files() -> None:
    for path in OWN_FILES:
        for key, entry in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            written = yaml.safe_dump(entry, allow_unicode=True)
            # Fees, phone numbers, web and email addresses belong in council.yml.
            for pattern in (r"£", r"\d{3,}", r"https?://", r"www\.", r"@", r"Oakbridge"):
                assert not re.search(pattern, written), f"{key} types {pattern!r} in"


# --- Urgent answers put the emergency help first -------------------------------


@pytest.mark.parametrize("key", URGENT_KEYS)
def test_urgent_answer_starts_with_999(demo_content: Content, demo_council: Council, key: str):
    first_sentence = demo_content.render(key).text.split(".")[0]
    assert demo_council.facts["emergency"]["immediate_danger"] in first_sentence


def test_homelessness_answer_gives_the_out_of_hours_housing_number(
    demo_content: Content, demo_council: Council
) -> None:
    text = demo_content.render("urgent_homelessness").text
    assert demo_council.facts["emergency"]["homelessness_out_of_hours"] in text
    assert demo_council.phone in text


def test_crisis_answer_gives_samaritans_nhs_111_and_the_council(
    demo_content: Content, demo_council: Council
) -> None:
    text = demo_content.render("urgent_crisis_self_harm").text
    national = demo_council.facts["national"]
    assert national["samaritans"] in text and f"NHS {national['nhs_helpline']}" in text
    assert "option 2" in text and demo_council.phone in text
    assert "alone" in text
    # Samaritans' guidance: never "commit suicide", and no talk of methods.
    assert "commit" not in text.lower() and "suicide" not in text.lower()


def test_domestic_abuse_answer_gives_the_helpline_silent_solution_and_a_safe_place(
    demo_content: Content, demo_council: Council
) -> None:
    text = demo_content.render("urgent_domestic_abuse").text
    national, emergency = demo_council.facts["national"], demo_council.facts["emergency"]
    assert national["domestic_abuse_helpline"] in text
    assert f"press {national['silent_solution_press']}" in text
    assert emergency["housing_options"] in text and "safe place" in text


def test_emergency_answer_gives_the_gas_line_and_the_councils_24_hour_line(
    demo_content: Content, demo_council: Council
) -> None:
    text = demo_content.render("urgent_emergency_danger").text
    emergency = demo_council.facts["emergency"]
    assert emergency["gas_leak"] in text and "gas" in text
    assert emergency["council_24_hours"] in text and "24-hour" in text


def test_safeguarding_answer_gives_childrens_adults_and_out_of_hours_numbers(
    demo_content: Content, demo_council: Council
) -> None:
    text = demo_content.render("urgent_safeguarding_concern").text
    emergency = demo_council.facts["emergency"]
    assert emergency["children_services"] in text
    assert emergency["adult_social_care"] in text
    assert str(demo_council.facts["out_of_hours_phone"]) in text


@pytest.mark.parametrize("key", URGENT_KEYS)
def test_urgent_answer_offers_a_person(demo_content: Content, key: str) -> None:
    assert "/request_human" in [b.payload for b in demo_content.render(key).buttons]


# --- Another council's file changes every fact --------------------------------


def test_other_council_answers_show_none_of_the_demo_councils_facts(
    demo_council: Council, other_council: Council
) -> None:
    other_values = set(_leaf_values(other_council.facts))
    skipped = ("pages", "bank_holidays")
    demo_facts = {k: v for k, v in demo_council.facts.items() if k not in skipped}
    # National facts (999, the gas line) stay; every council-specific one must go.
    demo_only = {v for v in _leaf_values(demo_facts) if v not in other_values and len(v) >= 3}
    demo_only |= {"oakbridge", str(demo_council.facts["website"])}
    content = Content(load_messages(MESSAGES_DIR), other_council)
    leaks = {}
    for key in OWN_KEYS:
        shown = _everything_shown(content.render(key)).lower()
        leaks[key] = sorted(value for value in demo_only if value.lower() in shown)
    assert {key: found for key, found in leaks.items() if found} == {}


def test_other_council_answers_show_its_own_phone_and_website(other_council: Council) -> None:
    content = Content(load_messages(MESSAGES_DIR), other_council)
    assert other_council.phone in content.render("faq_contact_council").text
    for key in OWN_KEYS:
        link = content.render(key).link
        assert link is not None and link.startswith(
            "https://www.elmfield.council.example/residents/"
        )


def test_other_council_fees_appear_in_the_fee_answers(other_council: Council) -> None:
    content = Content(load_messages(MESSAGES_DIR), other_council)
    assert "£61.50" in content.render("faq_garden_waste_subscription").text
    assert "£27" in content.render("faq_bulky_waste_collection").text
    assert "£120" in content.render("faq_parking_permit").text


# --- bot/content.py: the rules the answers rely on ----------------------------


def test_unknown_message_key_raises_content_error(demo_content: Content) -> None:
    with pytest.raises(ContentError):
        demo_content.render("faq_no_such_answer")


def test_unknown_placeholder_raises_content_error(tmp_path: Path, demo_council: Council) -> None:
    _write(tmp_path, "faq.yml", {"faq_bad": {"text": "Call {helpline.number}.", "link": "contact"}})
    content = Content(load_messages(tmp_path), demo_council)
    with pytest.raises(ContentError, match="helpline.number"):
        content.render("faq_bad")


def test_key_repeated_across_two_files_raises_content_error(tmp_path: Path) -> None:
    _write(tmp_path, "a.yml", {"faq_twice": {"text": "First."}})
    _write(tmp_path, "b.yml", {"faq_twice": {"text": "Second."}})
    with pytest.raises(ContentError, match="faq_twice"):
        load_messages(tmp_path)


def test_values_passed_in_fill_placeholders_beside_council_facts(
    tmp_path: Path, demo_council: Council
) -> None:
    _write(tmp_path, "x.yml", {"done": {"text": "Your reference is {reference}. Call {phone}."}})
    content = Content(load_messages(tmp_path), demo_council)
    assert content.text("done", reference="MB-204117") == (
        f"Your reference is MB-204117. Call {demo_council.phone}."
    )

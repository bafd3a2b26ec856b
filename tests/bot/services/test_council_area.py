"""Which postcodes are outside the council's area, from its own address data."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from bot.db.session import session_scope
from bot.services.council_area import outside_council_area


@pytest.mark.parametrize("postcode", ["SW1A 1AA", "sw1a2aa", "M1 1AE", "EH1 1YZ", "BT1 5GS"])
def test_a_postcode_in_another_councils_district_is_outside(
    loaded_engine: Engine, postcode: str
) -> None:
    with session_scope(loaded_engine) as session:
        assert outside_council_area(session, postcode)


@pytest.mark.parametrize("postcode", ["OB2 5JQ", "ob25jq", "OB2 9ZZ", "OB4 2ND"])
def test_a_postcode_in_one_of_the_councils_districts_is_not_outside(
    loaded_engine: Engine, postcode: str
) -> None:
    # OB2 9ZZ matches no address, but OB2 is the council's: "check the postcode" instead.
    with session_scope(loaded_engine) as session:
        assert not outside_council_area(session, postcode)


def test_an_invalid_postcode_is_not_judged(loaded_engine: Engine) -> None:
    with session_scope(loaded_engine) as session:
        assert not outside_council_area(session, "not a postcode")
        assert not outside_council_area(session, "OB2 5")

"""Is a postcode in the council's area? Read from the council's own address data: a postcode
whose district (outward code, 'SW1A') has no address of ours is another council's, and the
resident is sent to GOV.UK's "find your local council" instead of "check the postcode"."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Address
from bot.postcodes import normalise_postcode, outward_code


def outside_council_area(session: Session, postcode: str) -> bool:
    """True for a valid postcode in a district where the council has no address.

    A postcode in one of the council's districts that matches no address is not called
    outside: it may be new, or mistyped by a letter (the caller says "check it" then).
    An invalid postcode is not judged here (False).
    """
    normal = normalise_postcode(postcode)
    if normal is None:
        return False
    district = outward_code(normal)
    found = session.scalar(
        select(Address.uprn).where(Address.postcode.like(f"{district} %")).limit(1)
    )
    return found is None

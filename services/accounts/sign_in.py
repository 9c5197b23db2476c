"""Who signs in: an enterprise person found by phone (after the SMS code) or by a bound WeChat openid.

A person may belong to several enterprises; a sign-in starts in the first active one (by join date), and
only active people with an active membership in an enterprise that is not disabled get in.
"""

from __future__ import annotations

from models.enterprises import EnterpriseStatus, Membership, Person
from models.errors import NotFound
from services.accounts.sms_codes import SmsCodes

MSG_NOT_REGISTERED = "该手机号未登记，请联系企业管理员添加"


async def memberships_of(person_id: int) -> list[Membership]:
    """The person's active memberships in enterprises that are not disabled, oldest first."""
    return await (Membership.filter(person_id=person_id, active=True, person__active=True)
                  .exclude(enterprise__status=EnterpriseStatus.DISABLED)
                  .select_related("enterprise", "person").order_by("id"))


async def first_membership(person_id: int) -> Membership | None:
    found = await memberships_of(person_id)
    return found[0] if found else None


async def sign_in_with_code(codes: SmsCodes, phone: str, code: str) -> Membership:
    """Check (and use up) the SMS code, then the membership to start in; NotFound for an unknown phone."""
    await codes.verify_code(phone, code)
    person = await Person.filter(phone=phone, active=True).first()
    membership = await first_membership(person.id) if person else None
    if membership is None:
        raise NotFound(MSG_NOT_REGISTERED, field="phone")
    return membership

"""Registration through the services: with a card (active at once), without one (files, races), and review."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from adapters.file_storage import FileStorage
from core.cache import Cache
from models.audit import AuditEntry
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership, Person
from models.errors import Conflict, Forbidden, ValidationFailed
from models.messages import Message
from models.outbox import OutboxMessage
from models.registrations import Registration, RegistrationChannel, RegistrationStatus
from services.accounts.registration import (
    Applicant,
    CardEnterprise,
    RegistrationForm,
    register_with_card,
    register_without_card,
)
from services.accounts.registration_review import approve_registration, reject_registration, review_lists
from services.accounts.sms_codes import SmsCodePolicy, SmsCodes
from services.kit.context import ServiceContext
from services.kit.images import CheckedImage, check_image
from tests.factories import World, credit_code, licence_image
from tests.services.sms_fake import SECRET, RecordingSender

ctx = ServiceContext()
DISTRICT = ("0900",)
CARD_CODE = credit_code("91210200MA0CARD01")
FORM_CODE = credit_code("91210200MA0F0RM01")
CARD = CardEnterprise(credit_code=CARD_CODE, customs_code="2102960001", enterprise_name="大连有卡贸易有限公司",
                      holder_name="赵法人", legal_person_card=True)


@pytest.fixture
def sender() -> RecordingSender:
    return RecordingSender()


@pytest.fixture
def codes(cache: Cache, sender: RecordingSender) -> SmsCodes:
    return SmsCodes(cache, sender, SECRET, SmsCodePolicy(limits=()))


@pytest.fixture
def storage(tmp_path: Path) -> FileStorage:
    return FileStorage(tmp_path / "uploads")


def licence() -> CheckedImage:
    return check_image(licence_image(fmt="JPEG"), "营业执照.jpg", max_bytes=1024 * 1024)


def form(phone: str = "13700000001", **changes: str) -> RegistrationForm:
    values = {"enterprise_name": "大连无卡贸易有限公司", "credit_code": FORM_CODE, "name": "张三", "phone": phone,
              **changes}
    return RegistrationForm(**values)


async def register(codes: SmsCodes, sender: RecordingSender, storage: FileStorage, phone: str = "13700000001",
                   **changes: str) -> Registration:
    await codes.issue_code(phone, ip=None)
    return await register_without_card(ctx, form(phone, **changes), licence(), codes=codes,
                                       code=sender.last_code(phone), storage=storage)


async def test_a_card_registration_is_active_at_once_with_the_applicant_as_admin(world: World) -> None:
    enterprise = await register_with_card(ctx, CARD, Applicant("赵法人", "13700000002"))

    assert enterprise.status is EnterpriseStatus.ACTIVE and enterprise.customs_code == "2102960001"
    membership = await Membership.get(enterprise_id=enterprise.id).prefetch_related("person")
    assert membership.role is MemberRole.ADMIN and membership.person.phone == "13700000002"
    registration = await Registration.get(enterprise_id=enterprise.id)
    assert registration.channel is RegistrationChannel.CARD and registration.status is RegistrationStatus.APPROVED
    assert registration.legal_person == "赵法人" and registration.licence_key is None
    assert await AuditEntry.filter(action="registration.card").exists()
    lists = await review_lists(world.supervisor.account_id, DISTRICT)
    assert lists.pending == [] and lists.decided == []  # nothing for customs to review


async def test_a_card_registration_refuses_duplicates_and_bad_input(world: World) -> None:
    await register_with_card(ctx, CARD, Applicant("赵法人", "13700000002"))
    with pytest.raises(Conflict, match="该企业已注册"):
        await register_with_card(ctx, CARD, Applicant("钱某", "13700000003"))
    other = CardEnterprise(credit_code=FORM_CODE, customs_code="2102960001", enterprise_name="另一家",
                           holder_name="孙某", legal_person_card=False)
    with pytest.raises(Conflict, match="海关注册编码已被其他企业使用"):
        await register_with_card(ctx, other, Applicant("孙某", "13700000004"))
    bad = CardEnterprise(credit_code=CARD_CODE[:17] + "Z", customs_code="", enterprise_name="x", holder_name="",
                         legal_person_card=False)
    with pytest.raises(ValidationFailed) as refused:
        await register_with_card(ctx, bad, Applicant("孙某", "13700000004"))
    assert refused.value.field == "credit_code"
    with pytest.raises(ValidationFailed, match="11 位手机号"):
        await register_with_card(ctx, other, Applicant("孙某", "1370000"))


async def test_a_person_of_another_enterprise_registers_a_new_one_as_the_same_person(world: World) -> None:
    enterprise = await register_with_card(ctx, CARD, Applicant("关务丁", "13900000004"))

    memberships = await Membership.filter(person_id=world.staff.person_id).order_by("id")
    assert [(m.enterprise_id, m.role) for m in memberships] == [(world.acme.id, MemberRole.STAFF),
                                                                (enterprise.id, MemberRole.ADMIN)]
    assert await Person.filter(phone="13900000004").count() == 1


async def test_a_refused_registration_leaves_no_file(world: World, codes: SmsCodes, sender: RecordingSender,
                                                    storage: FileStorage) -> None:
    await codes.issue_code("13700000001", ip=None)
    with pytest.raises(ValidationFailed, match="验证码错误"):
        await register_without_card(ctx, form(), licence(), codes=codes, code="000000", storage=storage)
    with pytest.raises(ValidationFailed, match="请上传营业执照图片"):
        await register_without_card(ctx, form(), None, codes=codes, code=sender.last_code("13700000001"),
                                    storage=storage)
    await Person.create(name="占用微信的人", phone="13700000009", wechat_openid="oTAKEN")
    await codes.issue_code("13700000001", ip=None)
    with pytest.raises(Conflict, match="该微信已绑定其他手机号"):
        await register_without_card(ctx, form(), licence(), codes=codes, code=sender.last_code("13700000001"),
                                    storage=storage, channel=RegistrationChannel.WECHAT, openid="oTAKEN")
    assert not [p for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else True
    assert not await Enterprise.filter(credit_code=FORM_CODE).exists()


async def test_two_registrations_of_one_enterprise_at_once_give_one(world: World, codes: SmsCodes,
                                                                    sender: RecordingSender,
                                                                    storage: FileStorage) -> None:
    results = await asyncio.gather(register(codes, sender, storage, "13700000001"),
                                   register(codes, sender, storage, "13700000002"), return_exceptions=True)

    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Registration"]
    assert await Registration.filter(credit_code=FORM_CODE).count() == 1
    assert len([p for p in storage.root.rglob("*") if p.is_file()]) == 1


async def test_review_scope_decisions_and_a_second_decision(world: World, codes: SmsCodes, sender: RecordingSender,
                                                           storage: FileStorage) -> None:
    registration = await register(codes, sender, storage)
    for who in (world.officer, world.nanjing_officer):
        with pytest.raises(Forbidden):
            await review_lists(who.account_id, DISTRICT)
    with pytest.raises(Forbidden):
        await approve_registration(ctx, world.officer, DISTRICT, registration.id)
    with pytest.raises(Forbidden):  # a supervisor outside the district's offices
        await review_lists(world.supervisor.account_id, ("2300",))

    outcomes = await asyncio.gather(
        approve_registration(ctx, world.supervisor, DISTRICT, registration.id),
        reject_registration(ctx, world.customs_admin, DISTRICT, registration.id, "资料不全"),
        return_exceptions=True)

    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "Registration"]
    decided = await Registration.get(id=registration.id)
    enterprise = await Enterprise.get(id=registration.enterprise_id)
    expected = {RegistrationStatus.APPROVED: EnterpriseStatus.ACTIVE,
                RegistrationStatus.REJECTED: EnterpriseStatus.REJECTED}[decided.status]
    assert enterprise.status is expected
    assert await OutboxMessage.filter(person_id=registration.applicant_id).count() == 1


async def test_a_bound_applicant_gets_an_sms_and_a_template_message(world: World, codes: SmsCodes,
                                                                   sender: RecordingSender,
                                                                   storage: FileStorage) -> None:
    await codes.issue_code("13700000001", ip=None)
    registration = await register_without_card(ctx, form(), licence(), codes=codes,
                                               code=sender.last_code("13700000001"), storage=storage,
                                               channel=RegistrationChannel.WECHAT, openid="oNEWADMIN")

    await approve_registration(ctx, world.supervisor, DISTRICT, registration.id)

    rows = await OutboxMessage.filter(event="registration_approved").order_by("id")
    assert [r.channel for r in rows] == ["sms", None]  # None: the dispatcher sends WeChat to a bound person
    notice = await Message.get(person_id=registration.applicant_id)  # and one in the message centre
    assert (notice.enterprise_id, notice.category, notice.title) == (registration.enterprise_id, "notice",
                                                                     "企业注册通过")


async def test_the_demo_seeds_one_pending_registration_once(world: World, storage: FileStorage) -> None:
    from core.demo import pending_credit_code, seed_pending_registration

    await seed_pending_registration(ctx, storage, SECRET)
    await seed_pending_registration(ctx, storage, SECRET)

    lists = await review_lists(world.supervisor.account_id, DISTRICT)
    assert [r.credit_code for r in lists.pending] == [pending_credit_code()]
    assert storage.path(lists.pending[0].licence_key or "").is_file()

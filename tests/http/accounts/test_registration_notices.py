"""Registering inside WeChat on the phone simulator, then the notices really going out: the approval as a
template message and an SMS (simulators, real WeChat and Alibaba Cloud clients), and a new executive's
template message."""

from __future__ import annotations

from core.config import DatabaseSettings
from models.enterprises import Person
from models.registrations import Registration, RegistrationChannel
from services.accounts.people import add_person
from services.accounts.registration_review import approve_registration
from services.kit.actors import PersonActor
from services.kit.context import ServiceContext
from tests.factories import World, credit_code, licence_image
from tests.http.questions.test_phone_flow import PHONE, open_in_phone
from tests.http.support import csrf_of, simulated_site

CODE = credit_code("91210200MA0WXREG1")
APPLICANT = "13700000021"


async def test_a_wechat_registration_is_approved_and_told_by_template_message_and_sms(
        db: DatabaseSettings, world: World) -> None:
    async with simulated_site(db) as site:
        await site.client.post(f"{PHONE}/followers", data={"nickname": "注册人"})
        openid = site.wechat.active_openid
        await site.client.post(f"{PHONE}/subscription", data={"openid": openid, "follow": "1"})
        form = await open_in_phone(site, openid, f"{site.base_url}/h5/register")
        assert form.status_code == 200 and form.url.path == "/h5/register" and "在微信中注册" in form.text
        fields = {"enterprise_name": "大连微信注册有限公司", "credit_code": CODE, "name": "注册人",
                  "phone": APPLICANT, "csrf_token": csrf_of(form.text)}
        await site.client.post("/h5/register/code", data=fields)
        done = await site.client.post("/h5/register", data={**fields, "code": await site.last_code(APPLICANT)},
                                      files={"image": ("执照.png", licence_image(), "image/png")})
        assert done.status_code == 303, done.text
        registration = await Registration.get(credit_code=CODE)
        assert registration.channel is RegistrationChannel.WECHAT

        ctx = ServiceContext()
        await approve_registration(ctx, world.supervisor, ("0900",), registration.id)
        await site.dispatch_outbox()

        (notice,) = site.wechat.sent("template", openid)
        assert notice.body["template_id"] == "TPL_registration_approved"
        assert notice.body["data"]["thing1"]["value"] == "大连微信注册有限公司"
        assert any("注册申请已通过审核" in m["content"] for m in await site.sms_inbox(APPLICANT))

        await site.client.post(f"{PHONE}/followers", data={"nickname": "高管"})
        executive_openid = site.wechat.active_openid
        await site.client.post(f"{PHONE}/subscription", data={"openid": executive_openid, "follow": "1"})
        await Person.filter(id=world.executive.person_id).update(wechat_openid=executive_openid)
        await add_person(ctx, PersonActor(registration.applicant_id), registration.enterprise_id, "高管乙",
                         "13900000002", "executive")
        await site.dispatch_outbox()
        (welcome,) = site.wechat.sent("template", executive_openid)
        assert welcome.body["template_id"] == "TPL_executive_added"
        assert welcome.body["data"]["thing1"]["value"] == "大连微信注册有限公司"

"""Literal test data: a customs office tree, two enterprises with their people, customs accounts."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageDraw

from models.catalog import BusinessCategory, QuestionType
from models.customs_accounts import CustomsAccount, CustomsRole
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership, Person
from models.identifiers import credit_code_check_char
from models.offices import CustomsOffice, OfficeKind
from services.kit.actors import CustomsActor, PersonActor
from services.questions.form import QuestionForm


def credit_code(body17: str) -> str:
    return body17 + credit_code_check_char(body17)


def licence_image(credit_code_text: str = "", fmt: str = "PNG") -> bytes:
    """A business licence scan: a framed sheet with the credit code on it (480 × 320)."""
    image = Image.new("RGB", (480, 320), "#fdf6e3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((10, 10, 470, 310), outline="#b22222", width=6)
    draw.text((40, 60), "BUSINESS LICENCE", fill="#b22222")
    draw.text((40, 120), credit_code_text, fill="#333333")
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


@dataclass
class World:
    dalian: CustomsOffice  # 直属海关, accepts questions
    dayaowan: CustomsOffice  # 隶属海关 under Dalian
    tariff_dept: CustomsOffice  # 部门 under Dayaowan
    nanjing: CustomsOffice  # another 直属海关
    acme: Enterprise  # review required
    solo: Enterprise  # Liaoning style: no review
    admin: PersonActor
    executive: PersonActor
    executive2: PersonActor
    staff: PersonActor
    staff2: PersonActor
    solo_staff: PersonActor
    officer: CustomsActor  # in Dayaowan
    supervisor: CustomsActor  # at Dalian: sees the whole tree
    nanjing_officer: CustomsActor
    customs_admin: CustomsActor
    type_ids: tuple[int, ...]
    category_id: int

    def form(self, title: str = "电子口岸IC卡如何办理?", **changes: object) -> QuestionForm:
        values: dict[str, object] = dict(
            accepting_office_id=self.dalian.id, office_id=self.dayaowan.id, title=title,
            type_ids=self.type_ids[:1], contact_name="王经理", contact_phone="13800138000",
            description="我司新设立，请问电子口岸IC卡在哪里办理、需要哪些材料？", business_category_id=self.category_id,
            allow_publication=True,
        )
        values.update(changes)
        return QuestionForm(**values)  # type: ignore[arg-type]


async def office(code: str, name: str, kind: OfficeKind, parent: CustomsOffice | None = None,
                 accepts: bool = False) -> CustomsOffice:
    path = f"{parent.path if parent else '/'}{code}/"
    return await CustomsOffice.create(code=code, name=name, short_name=name, kind=kind, parent=parent, path=path,
                                      accepts_questions=accepts)


async def person(name: str, phone: str, enterprise: Enterprise, role: MemberRole) -> PersonActor:
    p = await Person.create(name=name, phone=phone)
    await Membership.create(person=p, enterprise=enterprise, role=role)
    return PersonActor(p.id)


async def account(username: str, office_: CustomsOffice, role: CustomsRole) -> CustomsActor:
    a = await CustomsAccount.create(username=username, name=username, password_hash="-", office=office_, role=role)
    return CustomsActor(a.id)


async def build_world() -> World:
    dalian = await office("0900", "大连海关", OfficeKind.DIRECT, accepts=True)
    dayaowan = await office("0901", "大窑湾海关", OfficeKind.SUBORDINATE, dalian)
    tariff = await office("0901-01", "关税科", OfficeKind.DEPARTMENT, dayaowan)
    nanjing = await office("2300", "南京海关", OfficeKind.DIRECT, accepts=True)
    acme = await Enterprise.create(name="大连示例进出口有限公司", credit_code=credit_code("91210242679978240"),
                                   status=EnterpriseStatus.ACTIVE, exec_review_required=True)
    solo = await Enterprise.create(name="辽宁单人贸易有限公司", credit_code=credit_code("91210200MA0QXXXX1"),
                                   status=EnterpriseStatus.ACTIVE, exec_review_required=False)
    types = [await QuestionType.create(code=c, name=n, sort=i) for i, (c, n) in
             enumerate([("tongguan", "通关运行"), ("shuishou", "关税征管"), ("qita", "其他")])]
    category = await BusinessCategory.create(code="tongguan", name="通关")
    return World(
        dalian=dalian, dayaowan=dayaowan, tariff_dept=tariff, nanjing=nanjing, acme=acme, solo=solo,
        admin=await person("企业管理员甲", "13900000001", acme, MemberRole.ADMIN),
        executive=await person("高管乙", "13900000002", acme, MemberRole.EXECUTIVE),
        executive2=await person("高管丙", "13900000003", acme, MemberRole.EXECUTIVE),
        staff=await person("关务丁", "13900000004", acme, MemberRole.STAFF),
        staff2=await person("关务戊", "13900000005", acme, MemberRole.STAFF),
        solo_staff=await person("单人己", "13900000006", solo, MemberRole.ADMIN),
        officer=await account("officer", dayaowan, CustomsRole.OFFICER),
        supervisor=await account("supervisor", dalian, CustomsRole.SUPERVISOR),
        nanjing_officer=await account("nj_officer", nanjing, CustomsRole.OFFICER),
        customs_admin=await account("customs_admin", dalian, CustomsRole.ADMIN),
        type_ids=tuple(t.id for t in types), category_id=category.id,
    )

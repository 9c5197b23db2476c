"""Demo data for `qingling demo`: the manual's enterprise, its people, customs accounts and questions
in several statuses, all made through the real services. Seeding twice changes nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from adapters.file_storage import FileStorage
from core.cache import MemoryCache
from core.config import Settings
from core.demo_config import CARD_DEMO
from models.catalog import BusinessCategory, QuestionType
from models.customs_accounts import CustomsAccount, CustomsRole
from models.enterprises import Enterprise, EnterpriseStatus, MemberRole, Membership, Person
from models.identifiers import credit_code_check_char
from models.lifecycle import Evaluation, Importance, ReplyKind
from models.offices import CustomsOffice
from services.accounts.customs_accounts import create_customs_account
from services.accounts.labels import CUSTOMS_ROLE_LABELS, MEMBER_ROLE_LABELS
from services.accounts.registration import RegistrationForm, register_without_card
from services.accounts.sms_codes import SmsCodePolicy, SmsCodes
from services.kit.actors import CustomsActor, PersonActor
from services.kit.context import ServiceContext
from services.kit.images import CheckedImage, check_image
from services.questions.asking import create_draft, submit_question, withdraw_question
from services.questions.evaluation import evaluate_question
from services.questions.exec_review import exec_approve_question
from services.questions.form import QuestionForm
from services.questions.handling import accept_question, publish_question, reply_question

if TYPE_CHECKING:
    from services.workspace.roles import Member

DEMO_PASSWORD = "qingling2026demo"
DEMO_CREDIT_CODE = "9121024267997824X5"  # the Liaoning manual's example enterprise
DEMO_ENTERPRISE = "大连示例进出口有限公司"


@dataclass(frozen=True)
class DemoLogins:
    customs: list[tuple[str, str, str]]  # username, role, password
    people: list[tuple[str, str, str]]  # name, phone, role


async def seed_everything(settings: Settings) -> DemoLogins:
    """Reference data, the demo enterprise and its questions, its virtual cards, a pending registration."""
    from core.app import secret_key
    from core.demo_declarations import seed_declarations
    from core.demo_library import seed_library
    from services.desk.reference_data import load_reference_data
    from services.jobs.exports import exports_folder
    from services.library.reference import load_library_reference
    from simulators.card.demo import bind_demo_cards

    ctx = ServiceContext.from_settings(settings.lifecycle)
    await load_reference_data(settings.district.accepting_office_codes)
    await load_library_reference(ctx)
    logins = await seed_demo(ctx, settings.district.accepting_office_codes[0])
    await seed_library(ctx, exports_folder(settings.web.upload_dir), DEMO_CREDIT_CODE, DEMO_ENTERPRISE)
    await seed_declarations(ctx, DEMO_CREDIT_CODE)
    await bind_demo_cards(CARD_DEMO, DEMO_CREDIT_CODE)
    await seed_personal(ctx, FileStorage(Path(settings.web.upload_dir)), settings.district.accepting_office_codes[0])
    await seed_seal(ctx, FileStorage(Path(settings.web.upload_dir)))
    await seed_pending_registration(ctx, FileStorage(Path(settings.web.upload_dir)), secret_key(settings))  # issue 6
    await seed_join_request(ctx)
    return logins


def print_banner(settings: Settings, logins: DemoLogins) -> None:
    """Where everything is, on this demo's own address."""
    from simulators.card.demo import print_demo
    from simulators.idp.users import DEMO_USERS

    base = settings.server.public_url.rstrip("/")
    print("\n清零演示已就绪")
    print(f"  健康检查：{base}/healthz")
    print(f"  手机模拟器（公众号）：{base}/sim/wechat/phone")
    print(f"  短信模拟器（收件箱）：{base}/sim/sms/inbox")
    print(f"  企业端页面：{base}/h5/（手机号 + 短信验证码登录；在手机模拟器中点菜单则经微信授权进入）")
    print(f"  企业端接口文档：{base}/api/v1/openapi.json")
    print(f"  海关管理端：{base}/admin/")
    print(f"  企业工作台：{base}/workbench/（企业用户登录后打开；张关务有一周有效的“审单员”角色）")
    print(f"  报关单录入：{base}/workbench/declarations/entry（张关务录入；王管理可审核）")
    print(f"  数据同步：{base}/workbench/declarations/sync（单一窗口为模拟器：{base}/sim/single-window/api/v1）")
    print(f"  个人中心：{base}/workbench/personal 、{base}/h5/personal（张关务已有报关员章和个人表单设置）")
    print("  海关账号（用户名 / 角色 / 密码）：")
    for username, role, password in logins.customs:
        print(f"    {username} / {role} / {password}")
    print("  企业用户（姓名 / 手机号 / 角色）：")
    for name, phone, role in logins.people:
        print(f"    {name} / {phone} / {role}")
    if settings.identity_provider.enabled:
        print("  单一窗口账号快捷登录（模拟的单一窗口账号：用户名 / 密码 / 姓名 / 企业）：")
        for user in DEMO_USERS:
            print(f"    {user.username} / {user.password} / {user.name} / {user.enterprise_name}")
    print_demo(CARD_DEMO, base)
    print(flush=True)


async def seed_demo(ctx: ServiceContext, accepting_code: str) -> DemoLogins:
    dalian = await CustomsOffice.get(code=accepting_code)
    department = await CustomsOffice.filter(parent_id=dalian.id).order_by("code").first()
    assert department is not None, "run load-data first"
    accounts = [("demo_officer", "演示关员", CustomsRole.OFFICER, department.code),
                ("demo_supervisor", "演示科长", CustomsRole.SUPERVISOR, dalian.code),
                ("demo_admin", "演示管理员", CustomsRole.ADMIN, dalian.code)]
    for username, name, role, office in accounts:
        if not await CustomsAccount.filter(username=username).exists():
            await create_customs_account(ctx, username=username, name=name, office_code=office, role=role,
                                         password=DEMO_PASSWORD, created_by="demo")
    people = [("张关务", "13800000001", MemberRole.STAFF), ("李总", "13800000002", MemberRole.EXECUTIVE),
              ("王管理", "13800000003", MemberRole.ADMIN)]
    logins = DemoLogins([(u, CUSTOMS_ROLE_LABELS[r], DEMO_PASSWORD) for u, _, r, _ in accounts],
                        [(n, p, MEMBER_ROLE_LABELS[r]) for n, p, r in people])
    if await Enterprise.filter(credit_code=DEMO_CREDIT_CODE).exists():
        return logins
    acme = await Enterprise.create(name=DEMO_ENTERPRISE, credit_code=DEMO_CREDIT_CODE,
                                   customs_code="2102960001",
                                   status=EnterpriseStatus.ACTIVE, exec_review_required=True)
    actors = {}
    for name, phone, role in people:
        person = await Person.create(name=name, phone=phone)
        await Membership.create(person=person, enterprise=acme, role=role)
        actors[role] = PersonActor(person.id)
    await _seed_departments(ctx, acme)
    await _seed_questions(ctx, acme, dalian, department, actors)
    await _seed_workspace(ctx, acme)
    return logins


async def _admin_member(ctx: ServiceContext, acme: Enterprise, cache: MemoryCache) -> Member:
    from services.workspace.permissions import decide
    from services.workspace.roles import Member

    admin = await Membership.get(enterprise=acme, role=MemberRole.ADMIN).select_related("person", "enterprise")
    return Member(admin, await decide(ctx, cache, admin))


async def _seed_departments(ctx: ServiceContext, acme: Enterprise) -> None:
    """部门: 总部 with 关务部 and 财务部 below it; 张关务 in 关务部, the others in 总部 (their questions carry it)."""
    from services.workspace.departments import add_department
    from services.workspace.people import assign_departments

    member = await _admin_member(ctx, acme, MemoryCache())
    head = await add_department(ctx, member, "总部", None)
    customs = await add_department(ctx, member, "关务部", head.id)
    await add_department(ctx, member, "财务部", head.id)
    for membership in await Membership.filter(enterprise=acme):
        place = customs if membership.role is MemberRole.STAFF else head
        await assign_departments(ctx, member, membership.id, [place.id], place.id)


async def _seed_workspace(ctx: ServiceContext, acme: Enterprise) -> None:
    """The workspace: a 审单员 role (review, queries, the library) granted to the staff member for a week, to the
    executive for a week that ended yesterday (the people page offers 续期) and to the staff member's temporary
    报关员 role ending tomorrow; the grants' sweep then leaves the expiry 通知 and the reminder 预警."""
    from services.kit.office_hours import OfficeHours
    from services.workspace.grant_expiry import sweep_grants
    from services.workspace.grants import grant_role
    from services.workspace.roles import save_role

    cache = MemoryCache()  # this process's own: the served app starts with no cached decision
    member = await _admin_member(ctx, acme, cache)
    role = await save_role(ctx, cache, member, None, "审单员",
                           ["declaration:review", "query:print", "library:query", "message:view"], "department")
    temporary = await save_role(ctx, cache, member, None, "报关员（临时）", ["declaration:entry", "query:print"],
                                "self")
    staff = await Membership.get(enterprise=acme, role=MemberRole.STAFF)
    executive = await Membership.get(enterprise=acme, role=MemberRole.EXECUTIVE)
    now = ctx.now().astimezone(ctx.tz)
    for who, granted, start, days in ((staff, role, now, 7), (executive, role, now - timedelta(days=8), 7),
                                      (staff, temporary, now - timedelta(days=6), 7)):
        await grant_role(ctx, cache, member, who.id, granted.id, f"{start:%Y-%m-%d %H:%M}",
                         f"{start + timedelta(days=days):%Y-%m-%d %H:%M}")
    await sweep_grants(ctx, OfficeHours(ctx.tz), 3)


async def seed_personal(ctx: ServiceContext, storage: FileStorage, office_code: str) -> None:
    """个人中心: 张关务's 报关员章 and own 表单设置, over the enterprise's defaults set by 王管理."""
    from models.personal import PersonalProfile
    from services.personal.preferences import save_company_defaults, save_mine
    from services.personal.profile import set_image
    from services.workspace.permissions import decide
    from services.workspace.roles import Member

    acme = await Enterprise.get(credit_code=DEMO_CREDIT_CODE)
    staff = await Membership.get(enterprise=acme, role=MemberRole.STAFF).select_related("person", "enterprise")
    if await PersonalProfile.filter(person_id=staff.person_id).exclude(stamp=None).exists():
        return
    cache = MemoryCache()
    admin = await Membership.get(enterprise=acme, role=MemberRole.ADMIN).select_related("person", "enterprise")
    await save_company_defaults(ctx, Member(admin, await decide(ctx, cache, admin)), {
        "declare_office": office_code, "port_office": office_code, "trade_mode": "0110", "currency": "USD",
        "origin_country": "CHN"})
    member = Member(staff, await decide(ctx, cache, staff))
    await save_mine(ctx, member, {"remember_last": "on", "currency": "CNY"})
    await set_image(ctx, storage, member, "stamp", _demo_stamp(staff.person.name))


async def seed_seal(ctx: ServiceContext, storage: FileStorage) -> None:
    """企业设置: the demo enterprise's seal (报关专用章), which printed declarations carry in the 申报单位 box."""
    from models.company import CompanySettings
    from services.workspace.company import set_image
    from services.workspace.permissions import decide
    from services.workspace.roles import Member

    acme = await Enterprise.get(credit_code=DEMO_CREDIT_CODE)
    if await CompanySettings.filter(enterprise=acme).exclude(seal=None).exists():
        return
    admin = await Membership.get(enterprise=acme, role=MemberRole.ADMIN).select_related("person", "enterprise")
    await set_image(ctx, storage, Member(admin, await decide(ctx, MemoryCache(), admin)), "seal",
                    _demo_seal(acme.name))


def _demo_seal(name: str) -> CheckedImage:
    """A red round seal on a transparent background: the enterprise's name, a star, 报关专用章."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (360, 360), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 350, 350), outline=(210, 20, 20, 235), width=12)
    star = [(180, 130), (192, 165), (230, 165), (199, 187), (211, 223), (180, 201), (149, 223), (161, 187),
            (130, 165), (168, 165)]
    draw.polygon(star, fill=(210, 20, 20, 235))
    try:
        small, large = ImageFont.truetype("wqy-microhei.ttc", 22), ImageFont.truetype("wqy-microhei.ttc", 34)
    except OSError:  # no CJK font on this machine: rings and star only
        small, large = ImageFont.load_default(22), ImageFont.load_default(34)
    draw.text((180, 90), name, fill=(210, 20, 20, 235), font=small, anchor="mm")
    draw.text((180, 268), "报关专用章", fill=(210, 20, 20, 235), font=large, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return check_image(out.getvalue(), "企业印章.png", max_bytes=5 * 1024 * 1024)


def _demo_stamp(name: str) -> CheckedImage:
    """A red round stamp on a transparent background: the declarant's name over 报关专用."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGBA", (320, 320), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 310, 310), outline=(200, 20, 20, 230), width=12)
    draw.ellipse((34, 34, 286, 286), outline=(200, 20, 20, 200), width=3)
    try:
        font = ImageFont.truetype("wqy-microhei.ttc", 46)
    except OSError:  # no CJK font on this machine: the stamp keeps its rings and the default font
        font = ImageFont.load_default(46)
    for text, y in ((name, 110), ("报关专用", 180)):
        draw.text((160, y), text, fill=(200, 20, 20, 230), font=font, anchor="mm")
    out = io.BytesIO()
    image.save(out, "PNG")
    return check_image(out.getvalue(), "报关员章.png", max_bytes=5 * 1024 * 1024)


async def _seed_questions(ctx: ServiceContext, acme: Enterprise, dalian: CustomsOffice, department: CustomsOffice,
                          actors: dict[MemberRole, PersonActor]) -> None:
    types = {t.name: t.id for t in await QuestionType.all()}
    category = await BusinessCategory.first()
    officer = CustomsActor((await CustomsAccount.get(username="demo_officer")).id)
    supervisor = CustomsActor((await CustomsAccount.get(username="demo_supervisor")).id)
    staff, executive = actors[MemberRole.STAFF], actors[MemberRole.EXECUTIVE]

    def form(title: str, type_name: str, description: str) -> QuestionForm:
        return QuestionForm(accepting_office_id=dalian.id, office_id=department.id, title=title,
                            type_ids=(types[type_name],), contact_name="张关务", contact_phone="13800000001",
                            description=description, business_category_id=category.id if category else None,
                            allow_publication=True)

    async def asked(title: str, type_name: str, description: str) -> int:
        q = await create_draft(ctx, staff, acme.id, form(title, type_name, description))
        await submit_question(ctx, staff, q.id)
        return q.id

    await asked("危险品报关时如何申报", "通关运行", "出口锂电池属于危险品，报关时需要提供哪些单证？")
    approved = await asked("报关单状态一直显示已入库", "通关运行", "报关单提交后三天状态未变化，应如何处理？")
    await exec_approve_question(ctx, executive, approved, Importance.IMPORTANT)
    accepted = await asked("企业法人签字如何在海关变更", "企业管理", "法定代表人变更后，海关备案信息如何更新？")
    await exec_approve_question(ctx, executive, accepted, Importance.NORMAL)
    await accept_question(ctx, officer, accepted)
    answered = await asked("RCEP原产地规则在哪里获取", "其他", "我司出口日本，想了解 RCEP 原产地规则的查询途径。")
    await exec_approve_question(ctx, executive, answered, Importance.NORMAL)
    await reply_question(ctx, officer, answered, ReplyKind.ANSWER,
                         "可登录中国自由贸易区服务网查询 RCEP 协定文本及原产地规则，也可咨询属地海关原产地部门。")
    closed = await asked("电子口岸IC卡如何办理", "电子口岸", "新成立企业，首次办理电子口岸IC卡需要哪些材料？")
    await exec_approve_question(ctx, executive, closed, Importance.NORMAL)
    await reply_question(ctx, officer, closed, ReplyKind.ANSWER, "携带营业执照、法人身份证件到数据分中心窗口办理。")
    await evaluate_question(ctx, staff, closed, Evaluation.SOLVED)
    await publish_question(ctx, supervisor, closed, title="电子口岸IC卡如何办理",
                           description="新成立企业首次办理电子口岸IC卡需要哪些材料？",
                           reply="携带营业执照、法人身份证件到数据分中心窗口办理。")
    withdrawn = await create_draft(ctx, executive, acme.id,
                                   form("暂时进出境货物注意事项", "通关运行", "展览品暂时进境需要注意什么？"))
    await submit_question(ctx, executive, withdrawn.id)
    await withdraw_question(ctx, executive, withdrawn.id)


# ---- a pending registration, so the customs review page has something (issue 6) ----------------------------
DEMO_PENDING_CREDIT_CODE = "91210200MA0DEM0X1"  # + its check character, computed below
DEMO_PENDING_PHONE = "13800000009"


@dataclass
class _CapturedCode:
    """The demo applicant's "phone": keeps the code the registration sends, as a person would read it."""

    code: str = ""

    async def send(self, phone: str, message: Any, *, out_id: str) -> None:
        self.code = message.params.get("code", "")


def _demo_licence() -> CheckedImage:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 440), "#fdf6e3")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 628, 428), outline="#b22222", width=8)
    draw.text((60, 80), "BUSINESS LICENCE (DEMO)", fill="#b22222")
    draw.text((60, 140), pending_credit_code(), fill="#333333")
    out = io.BytesIO()
    image.save(out, "PNG")
    return check_image(out.getvalue(), "营业执照.png", max_bytes=5 * 1024 * 1024)


def pending_credit_code() -> str:
    return DEMO_PENDING_CREDIT_CODE + credit_code_check_char(DEMO_PENDING_CREDIT_CODE)


async def seed_pending_registration(ctx: ServiceContext, storage: FileStorage, secret_key: str) -> None:
    """One registration without a card waiting for customs review, made through the registration service."""
    if await Enterprise.filter(credit_code=pending_credit_code()).exists():
        return
    phone = _CapturedCode()
    codes = SmsCodes(MemoryCache("demo:"), phone, secret_key, SmsCodePolicy(limits=()))
    await codes.issue_code(DEMO_PENDING_PHONE, ip=None)
    form = RegistrationForm(enterprise_name="大连演示待审核贸易有限公司", credit_code=pending_credit_code(),
                            name="赵注册", phone=DEMO_PENDING_PHONE, legal_person="赵法人",
                            address="大连市甘井子区演示路 8 号")
    await register_without_card(ctx, form, _demo_licence(), codes=codes, code=phone.code, storage=storage)


async def seed_join_request(ctx: ServiceContext) -> None:
    """The applicant of the pending registration also asks to join the demo enterprise: a pending 加入申请
    for 王管理, and 我的企业 showing 立即认证 for the applicant's own enterprise (once)."""
    from models.joins import JoinRequest
    from services.workspace.joins import Asker, ask_to_join

    applicant = await Membership.get(person__phone=DEMO_PENDING_PHONE).select_related("person")
    if await JoinRequest.filter(person_id=applicant.person_id).exists():
        return
    await ask_to_join(ctx, Asker(applicant.person_id, applicant.person.name, applicant.enterprise_id),
                      DEMO_CREDIT_CODE)

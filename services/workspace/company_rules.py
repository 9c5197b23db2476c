"""The pure checks of 企业设置: company and invoice information, the aircraft switch, links, the seal's
transparency. No database: values in, cleaned values or a ``ValidationFailed`` naming every bad field out."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from PIL import Image

from models.declarations import DeclarationKind
from models.errors import ValidationFailed
from models.identifiers import credit_code_problem, is_contact_phone, normalise_credit_code

KIND_LABELS = {kind: kind.label for kind in DeclarationKind}

MAX_CAROUSEL = 6
MAX_LINKS = 20
MAX_URL = 500
MAX_TITLE = 30
_TAX_ID_OTHER = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{20}")  # the older 15- and 20-character taxpayer numbers
_EMAIL = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}")
_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
_LABEL = r"[A-Za-z0-9\u00a1-\uffff]([A-Za-z0-9\u00a1-\uffff-]{0,61}[A-Za-z0-9\u00a1-\uffff])?"
_HOST = re.compile(rf"(?=.{{1,253}}$)({_LABEL}\.)*{_LABEL}")  # letters, digits, hyphens; IDN allowed

MSG_ADDRESS = "地址不能超过 200 个字"
MSG_CONTACT = "联系人不能超过 50 个字"
MSG_PHONE = "请填写正确的联系电话（手机号或带区号的固定电话）"
MSG_EMAIL = "请填写正确的电子邮箱"
MSG_INVOICE_NAME = "开票名称不能超过 200 个字"
MSG_TAX_ID_LENGTH = "纳税人识别号应为 15、18 或 20 位"
MSG_TAX_ID_CHARS = "纳税人识别号只能包含数字和大写字母"
MSG_INVOICE_LONG = "不能超过 200 个字"
MSG_KIND = "业务类型无效，请重新选择"
MSG_AIRCRAFT_OFF = "请先启用航空器自动申报，再设置申报时间"
MSG_AIRCRAFT_TIME = "请填写航空器自动申报时间（如 08:30）"
MSG_LINK_TITLE = f"请填写链接标题（不超过 {MAX_TITLE} 个字）"
MSG_URL = "请填写以 http:// 或 https:// 开头的网址"
MSG_URL_LONG = f"网址不能超过 {MAX_URL} 个字符"
MSG_URL_HOST = "网址的域名不正确"
MSG_SEAL = "印章须为透明背景的 PNG 图片"


@dataclass(frozen=True)
class CompanyInfo:
    address: str = ""
    contact: str = ""
    phone: str = ""
    email: str = ""
    invoice_name: str = ""
    invoice_tax_id: str = ""
    invoice_address_phone: str = ""
    invoice_bank_account: str = ""


def check_info(info: CompanyInfo) -> CompanyInfo:
    """Every field at once; empty fields are allowed (filled in over time), filled ones must be right."""
    errors: dict[str, str] = {}
    cleaned = {name: str(value).strip() for name, value in info.__dict__.items()}
    cleaned["invoice_tax_id"] = normalise_credit_code(cleaned["invoice_tax_id"])
    limits = {"address": (200, MSG_ADDRESS), "contact": (50, MSG_CONTACT), "invoice_name": (200, MSG_INVOICE_NAME),
              "invoice_address_phone": (200, MSG_INVOICE_LONG), "invoice_bank_account": (200, MSG_INVOICE_LONG)}
    for name, (limit, message) in limits.items():
        if len(cleaned[name]) > limit:
            errors[name] = message
    if cleaned["phone"] and not is_contact_phone(cleaned["phone"]):
        errors["phone"] = MSG_PHONE
    if cleaned["email"] and (len(cleaned["email"]) > 100 or not _EMAIL.fullmatch(cleaned["email"])):
        errors["email"] = MSG_EMAIL
    if problem := tax_id_problem(cleaned["invoice_tax_id"]):
        errors["invoice_tax_id"] = problem
    if errors:
        raise ValidationFailed.of(errors)
    return CompanyInfo(**cleaned)


def tax_id_problem(tax_id: str) -> str | None:
    """None for an empty or valid 纳税人识别号; the 18-character one is the unified social credit code."""
    if not tax_id:
        return None
    if len(tax_id) == 18:
        return credit_code_problem(tax_id)
    if len(tax_id) not in (15, 20):
        return MSG_TAX_ID_LENGTH
    return None if _TAX_ID_OTHER.fullmatch(tax_id) else MSG_TAX_ID_CHARS


def check_switches(kinds: list[str], aircraft_auto: bool, aircraft_time: str) -> tuple[list[str], str | None]:
    """The enabled kinds (in their fixed order) and the time; a time is taken only while the switch is on."""
    errors: dict[str, str] = {}
    chosen = set(kinds)
    if not chosen <= {kind.value for kind in DeclarationKind}:
        errors["kinds"] = MSG_KIND
    time = aircraft_time.strip()
    if time and not aircraft_auto:
        errors["aircraft_time"] = MSG_AIRCRAFT_OFF
    elif aircraft_auto and not _TIME.fullmatch(time):
        errors["aircraft_time"] = MSG_AIRCRAFT_TIME
    if errors:
        raise ValidationFailed.of(errors)
    return [kind.value for kind in DeclarationKind if kind.value in chosen], time or None


def check_url(url: str, *, field: str = "url", required: bool = True) -> str:
    """An http or https address with a proper host; anything else (``javascript:``, ``data:`` …) refused."""
    url = url.strip()
    if not url and not required:
        return ""
    if len(url) > MAX_URL:
        raise ValidationFailed(MSG_URL_LONG, field=field)
    if any(ch.isspace() or ord(ch) < 32 for ch in url):
        raise ValidationFailed(MSG_URL, field=field)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        _ = parts.port  # a bad port raises here
    except ValueError:
        raise ValidationFailed(MSG_URL_HOST, field=field) from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationFailed(MSG_URL, field=field)
    if parts.username is not None or not _HOST.fullmatch(host):
        raise ValidationFailed(MSG_URL_HOST, field=field)
    return url


def check_link(title: str, url: str) -> tuple[str, str]:
    errors: dict[str, str] = {}
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        errors["link_title"] = MSG_LINK_TITLE
    try:
        url = check_url(url, field="link_url")
    except ValidationFailed as error:
        errors["link_url"] = error.message
    if errors:
        raise ValidationFailed.of(errors)
    return title, url


def uses_transparency(png: bytes) -> bool:
    """True when the PNG has an alpha channel (or a transparent palette entry) that some pixel actually uses."""
    with Image.open(io.BytesIO(png), formats=["PNG"]) as image:
        if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
            return False
        alpha = image.convert("RGBA").getchannel("A")
        low = alpha.getextrema()[0]
        return isinstance(low, int) and low < 255

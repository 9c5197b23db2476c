"""The demo's cards: a test CA, a legal-person card bound to the demo enterprise's admin and an operator card
(files under ``var/card-demo``), and the desktop helper's config for the demo site."""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from cryptography.hazmat.primitives import serialization

from core.config import CardSettings
from models.cards import CardBinding, CardType
from models.enterprises import Enterprise, Membership
from simulators.card.pki import CardIdentity, issue_card, load_card, make_ca, save_card

DEMO_PIN = "123456"
CARDS = {"legal_person": ("王管理", "LP-DEMO-0001"), "operator": ("张关务", "OP-DEMO-0001")}


def prepare(folder: Path, *, credit_code: str, enterprise_name: str, customs_code: str, site_origin: str) -> Path:
    """Create (once) the CA, both cards and the helper config; the CA's PEM path for ``card.ca_cert_paths``."""
    folder.mkdir(parents=True, exist_ok=True)
    ca_pem = folder / "ca.pem"
    if not ca_pem.exists():
        ca = make_ca("清零演示卡CA")
        (folder / "ca.key").write_bytes(ca.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        for card_type, (holder, card_no) in CARDS.items():
            identity = CardIdentity(credit_code, customs_code, enterprise_name, holder, card_type, card_no)
            save_card(issue_card(ca, identity), folder / card_type)
        ca_pem.write_bytes(ca.pem)
    helper = folder / "helper.json"
    config = (json.loads(helper.read_text(encoding="utf-8")) if helper.exists() else
              {"pairing_token": secrets.token_urlsafe(12), "allowed_origins": [],
               "port": urlparse(CardSettings().helper_url).port})  # where the app's pages look for it
    if site_origin not in config["allowed_origins"]:  # a new demo, or the demo moved to another port
        config["allowed_origins"].append(site_origin)
        helper.write_text(json.dumps(config, ensure_ascii=False, indent=2), encoding="utf-8")
    return ca_pem


def pairing_token(folder: Path) -> str:
    return str(json.loads((folder / "helper.json").read_text(encoding="utf-8"))["pairing_token"])


async def bind_demo_cards(folder: Path, credit_code: str) -> None:
    """Bind each demo card to its holder (by name) in the demo enterprise, once."""
    enterprise = await Enterprise.get(credit_code=credit_code)
    for card_type, (holder, _) in CARDS.items():
        card = load_card(folder / card_type)
        fingerprint = hashlib.sha256(card.der).hexdigest()
        member = await Membership.filter(enterprise=enterprise, person__name=holder).first()
        if member is None or await CardBinding.filter(fingerprint=fingerprint).exists():
            continue
        await CardBinding.create(enterprise=enterprise, person_id=member.person_id, fingerprint=fingerprint,
                                 card_no=card.identity.card_no, holder_name=holder, card_type=CardType(card_type),
                                 created_at=datetime.now(UTC))


def demo_ca_paths(folder: Path, site_origin: str) -> list[str]:
    """``card.ca_cert_paths`` for the demo (the cards of the demo enterprise, created once)."""
    from core.demo import DEMO_CREDIT_CODE

    ca = prepare(folder, credit_code=DEMO_CREDIT_CODE, enterprise_name="大连示例进出口有限公司",
                 customs_code="2102960001", site_origin=site_origin)
    return [str(ca)]


def print_demo(folder: Path, base: str) -> None:
    print("  IC卡/IKey 登录（虚拟卡 + 读卡助手；pcscd 需 root，未运行时由该命令启动）：")
    print(f"    另开终端运行：.venv/bin/python -m simulators.card --folder {folder}  （法人卡，持卡人 王管理）")
    print(f"    或插入操作员卡：.venv/bin/python -m simulators.card --folder {folder} --card operator  （张关务）")
    print(f"    然后打开 {base}/h5/card/login ，配对码 {pairing_token(folder)}，卡密码 {DEMO_PIN}")
    print(f"    法人卡授权：王管理登录后打开 {base}/h5/card/authorisations ；专属库（需授权）：{base}/h5/library")

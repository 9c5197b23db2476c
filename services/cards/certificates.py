"""Checking what a card signed: the certificate chains to a configured card CA and is in its validity period,
the signature over the challenge is the card key's, and the card's enterprise data agrees with the certificate.

The certificate is the only trusted source of the holder, the card type and the unified social credit code;
the enterprise data the helper read from the card adds the customs code and must match the certificate.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

from models.cards import CardType
from models.errors import Forbidden, ServiceUnavailable, ValidationFailed

MSG_NO_CA = "本系统尚未开通卡介质登录，请使用手机验证码登录"
MSG_BAD_CERT = "无法识别卡证书，请重新读卡"
MSG_UNTRUSTED = "该卡不是本系统认可的发卡机构签发的，无法使用"
MSG_EXPIRED = "卡证书不在有效期内，请联系发卡机构更新"
MSG_BAD_SIGNATURE = "卡签名验证失败，请重新读卡"
MSG_NO_ENTERPRISE = "卡证书中没有企业统一社会信用代码，无法使用"
MSG_DATA_MISMATCH = "卡内企业信息与卡证书不一致，请联系发卡机构"


@dataclass(frozen=True)
class CardProof:
    """What the page sends after the helper signed: base64 certificate (DER) and signature, the card data."""

    challenge_id: str
    certificate: str
    signature: str
    card: dict[str, Any]


@dataclass(frozen=True)
class VerifiedCard:
    fingerprint: str
    credit_code: str
    customs_code: str
    enterprise_name: str
    holder_name: str
    card_type: CardType
    card_no: str

    @property
    def legal_person(self) -> bool:
        return self.card_type is CardType.LEGAL_PERSON


@functools.lru_cache(maxsize=8)
def load_card_cas(paths: tuple[str, ...]) -> tuple[x509.Certificate, ...]:
    """The configured card CA certificates (PEM files, each may hold several)."""
    found: list[x509.Certificate] = []
    for path in paths:
        found.extend(x509.load_pem_x509_certificates(Path(path).read_bytes()))
    return tuple(found)


def verify_card(cas: tuple[x509.Certificate, ...], proof: CardProof, challenge: str, now: datetime) -> VerifiedCard:
    """The card behind ``proof``; Forbidden when it is not trusted or did not sign ``challenge``."""
    if not cas:
        raise ServiceUnavailable(MSG_NO_CA)
    cert = _certificate(proof.certificate)
    if not any(_issued_by(cert, ca) for ca in cas):
        raise Forbidden(MSG_UNTRUSTED)
    if not cert.not_valid_before_utc <= now <= cert.not_valid_after_utc:
        raise Forbidden(MSG_EXPIRED)
    _check_signature(cert, _b64(proof.signature), challenge.encode())
    return _identity(cert, proof.card)


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError, TypeError):
        raise ValidationFailed(MSG_BAD_CERT) from None


def _certificate(text: str) -> x509.Certificate:
    try:
        return x509.load_der_x509_certificate(_b64(text))
    except ValueError:
        raise ValidationFailed(MSG_BAD_CERT) from None


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _check_signature(cert: x509.Certificate, signature: bytes, message: bytes) -> None:
    key = cert.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        else:
            raise Forbidden(MSG_UNTRUSTED)
    except InvalidSignature:
        raise Forbidden(MSG_BAD_SIGNATURE) from None


def _name(cert: x509.Certificate, oid: x509.ObjectIdentifier) -> str:
    values = cert.subject.get_attributes_for_oid(oid)
    return str(values[0].value).strip() if values else ""


def _identity(cert: x509.Certificate, data: dict[str, Any]) -> VerifiedCard:
    credit_code = _name(cert, NameOID.ORGANIZATION_IDENTIFIER).upper()
    if not credit_code:
        raise Forbidden(MSG_NO_ENTERPRISE)
    try:
        card_type = CardType(_name(cert, NameOID.ORGANIZATIONAL_UNIT_NAME))
    except ValueError:
        raise Forbidden(MSG_UNTRUSTED) from None
    if str(data.get("credit_code", "")).strip().upper() != credit_code:
        raise Forbidden(MSG_DATA_MISMATCH)
    return VerifiedCard(
        fingerprint=hashlib.sha256(cert.public_bytes(Encoding.DER)).hexdigest(), credit_code=credit_code,
        customs_code=str(data.get("customs_code") or "").strip()[:10],
        enterprise_name=_name(cert, NameOID.ORGANIZATION_NAME), holder_name=_name(cert, NameOID.COMMON_NAME)[:50],
        card_type=card_type, card_no=_name(cert, NameOID.SERIAL_NUMBER)[:64])

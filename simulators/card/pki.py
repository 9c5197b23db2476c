"""A test card CA and the cards it issues (ECDSA P-256 keys, X.509 certificates) — for tests and the demo.

A card certificate names its holder (CN), the enterprise (O), the card type (OU: ``legal_person`` or
``operator``), the enterprise's unified social credit code (organizationIdentifier, 2.5.4.97) and the card
number (serialNumber). The server trusts these fields only after the certificate chains to its card CA.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class CardIdentity:
    credit_code: str
    customs_code: str
    enterprise_name: str
    holder_name: str
    card_type: str  # legal_person / operator
    card_no: str

    def data(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class CardCa:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class IssuedCard:
    identity: CardIdentity
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.DER)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def make_ca(name: str = "清零测试卡CA") -> CardCa:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(_now() - dt.timedelta(days=1)).not_valid_after(_now() + dt.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    return CardCa(key, cert)


def issue_card(ca: CardCa, identity: CardIdentity, *, valid_days: int = 730) -> IssuedCard:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, identity.holder_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, identity.enterprise_name),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, identity.card_type),
        x509.NameAttribute(NameOID.ORGANIZATION_IDENTIFIER, identity.credit_code),
        x509.NameAttribute(NameOID.SERIAL_NUMBER, identity.card_no),
    ])
    start = _now() - dt.timedelta(days=1)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.cert.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(start + dt.timedelta(days=valid_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca.key, hashes.SHA256()))
    return IssuedCard(identity, key, cert)


def save_card(card: IssuedCard, folder: Path) -> None:
    """Key, certificate and data of one card in ``folder`` (the demo's card)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "card.key").write_bytes(card.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (folder / "card.crt").write_bytes(card.cert.public_bytes(serialization.Encoding.PEM))
    (folder / "card.json").write_text(json.dumps(card.identity.data(), ensure_ascii=False), encoding="utf-8")


def load_card(folder: Path) -> IssuedCard:
    key = serialization.load_pem_private_key((folder / "card.key").read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    cert = x509.load_pem_x509_certificate((folder / "card.crt").read_bytes())
    identity = CardIdentity(**json.loads((folder / "card.json").read_text(encoding="utf-8")))
    return IssuedCard(identity, key, cert)

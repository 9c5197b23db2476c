"""The request bodies of the card API: a challenge request, a card's proof, and what each purpose adds to it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from handlers.accounts.bodies import ApplicantBody
from handlers.kit.bodies import Body
from handlers.kit.fields import Ids, Refusal, Text
from services.cards.authorisations import MODULES, MSG_PEOPLE
from services.cards.certificates import CardProof

MSG_PROOF = "读卡结果不完整，请重新读卡"
PURPOSES = ["login", "register", "bind", "authorise"]


class RegistrableQuery(Body):
    """The credit code read from a card, asked about before the SMS code is sent."""

    credit_code: Annotated[Text, Field(description="卡内统一社会信用代码")] = ""


class ChallengeBody(Body):
    documented_required = ("purpose",)

    purpose: Annotated[Text, Field(json_schema_extra={"enum": PURPOSES})] = ""


class ProofBody(Body):
    """What the desktop helper read and signed on the card."""

    documented_required = ("challenge_id", "certificate", "signature")

    challenge_id: Text = ""
    certificate: Annotated[Text, Field(description="卡证书 DER，base64")] = ""
    signature: Annotated[Text, Field(description="卡对挑战码的签名，base64")] = ""
    card: Annotated[dict[str, Any], Refusal(MSG_PROOF), Field(description="读卡助手读出的企业信息")]

    def proof(self) -> CardProof:
        return CardProof(self.challenge_id, self.certificate, self.signature, self.card)


class CardRegisterBody(ProofBody, ApplicantBody):
    """有卡用户注册: the proof and the applicant (企业信息取自卡)."""

    documented_required = (*ProofBody.documented_required, "name", "phone", "code")


class GrantBody(ProofBody):
    documented_required = (*ProofBody.documented_required, "module", "person_ids")

    module: Annotated[Text, Field(json_schema_extra={"enum": list(MODULES)})] = ""
    person_ids: Annotated[Ids, Refusal(MSG_PEOPLE)] = []

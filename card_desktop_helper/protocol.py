"""The card application's APDU interface, as the helper uses it (the test card in simulators/card implements it).

One application, selected by AID, holds two transparent files and a signing key:
- ``FID_CERTIFICATE``: the card's X.509 certificate (DER), issued by the card CA;
- ``FID_ENTERPRISE``: the enterprise data (UTF-8 JSON: credit_code, customs_code, enterprise_name,
  holder_name, card_type = ``legal_person`` | ``operator``, card_no).
Each file starts with its length (2 bytes, big-endian). VERIFY checks the PIN (ISO 7816-4 status 63Cx
gives the tries left, 6983 a blocked PIN); the sign command (PERFORM SECURITY OPERATION, compute digital
signature) needs a verified PIN and answers an ECDSA P-256 / SHA-256 signature (DER) of the data sent.
"""

AID = bytes.fromhex("A00000063251494E474C494E47")  # RID A000000632 + "QINGLING"
FID_CERTIFICATE = 0x0101
FID_ENTERPRISE = 0x0102
PIN_REFERENCE = 0x01
CHUNK = 240  # READ BINARY length per command (short APDUs)
MAX_CHALLENGE = 200  # bytes the sign command accepts

CLA = 0x00
INS_SELECT = 0xA4
INS_VERIFY = 0x20
INS_READ_BINARY = 0xB0
INS_SIGN = 0x2A  # PERFORM SECURITY OPERATION, P1P2 = 9E9A (compute digital signature)

SW_OK = 0x9000
SW_FILE_NOT_FOUND = 0x6A82
SW_SECURITY_NOT_SATISFIED = 0x6982
SW_PIN_BLOCKED = 0x6983
SW_WRONG_LENGTH = 0x6700
SW_WRONG_P1P2 = 0x6B00
SW_INS_NOT_SUPPORTED = 0x6D00
SW_CLA_NOT_SUPPORTED = 0x6E00
SW_CONDITIONS_NOT_SATISFIED = 0x6985

"""Resident ID numbers (居民身份证号码, GB 11643): validation, derived facts, encryption.

An ID number is personal data: it is stored only as AES-GCM ciphertext bound to its row
(the row's id is the associated data, so a ciphertext copied onto another row fails to
decrypt) beside a keyed hash used for look-up and uniqueness. It is shown masked unless a
role needs the full number, and it never appears in URLs or logs.
"""

from __future__ import annotations

import hashlib
import hmac
import operator
import os
import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ASCII_ZEROS = 48 * sum(_WEIGHTS)
_CHECK_CHARS = "10X98765432"
_ID18 = re.compile(r"^[0-9]{17}[0-9X]$")
_ID15 = re.compile(r"^[0-9]{15}$")


class IdNumberError(ValueError):
    """The text is not a valid ID number; the message says why, without echoing it."""


class Sex(StrEnum):
    male = "male"
    female = "female"


def check_char(body17: str) -> str:
    """The MOD 11-2 check character of the first 17 digits."""
    # isdigit() accepts full-width and other Unicode digits: the same person typed two
    # ways would hash differently and could be registered twice.
    if len(body17) != 17 or not (body17.isascii() and body17.isdigit()):
        raise IdNumberError("the first 17 characters must be digits")
    # On the ASCII codes: each digit's code is its value plus 48, so the weighted sum of the
    # codes exceeds the digits' by 48 × the sum of the weights (an import checks a number
    # per person; this runs in C, the per-digit int() did not).
    total = sum(map(operator.mul, body17.encode(), _WEIGHTS)) - _ASCII_ZEROS
    return _CHECK_CHARS[total % 11]


def _birth_date_of(id18: str) -> date:
    try:
        return date(int(id18[6:10]), int(id18[10:12]), int(id18[12:14]))
    except ValueError as exc:
        raise IdNumberError("the birth date inside the number is not a real date") from exc


def normalize(raw: str, *, today: date | None = None) -> str:
    """The canonical 18-character form: trimmed, upper-case X, 15-digit numbers upgraded."""
    text = raw.strip().upper()
    if _ID15.match(text):
        # First-generation numbers omit the century and the check character.
        body = text[:6] + "19" + text[6:]
        text = body + check_char(body)
    if not _ID18.match(text):
        raise IdNumberError("must be 18 characters: 17 digits and a digit or X")
    born = _birth_date_of(text)
    if born > (today or date.today()) or born.year < 1880:
        raise IdNumberError("the birth date inside the number is out of range")
    if check_char(text[:17]) != text[17]:
        raise IdNumberError("the check character does not match (GB 11643 MOD 11-2)")
    return text


def birth_date(id18: str) -> date:
    return _birth_date_of(id18)


def sex(id18: str) -> Sex:
    """The 17th digit is odd for men and even for women."""
    return Sex.male if int(id18[16]) % 2 == 1 else Sex.female


def mask(id18: str) -> str:
    """Area code and last four kept, birth date and sequence hidden: 370404********123X."""
    return id18[:6] + "*" * 8 + id18[-4:]


@dataclass(frozen=True, slots=True)
class IdCipher:
    """AES-256-GCM encryption bound to the owning row, and HMAC-SHA256 for look-up.

    The key id prefixes every ciphertext, so keys can rotate: old rows decrypt with the
    key that wrote them while new writes use the current one.
    """

    keys: dict[int, bytes]
    current_key_id: int
    lookup_key: bytes
    # One AESGCM per key, made once: a bulk import encrypts hundreds of thousands of numbers.
    _aead: dict[int, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_aead", {k: AESGCM(key) for k, key in self.keys.items()})

    def encrypt(self, id18: str, *, bound_to: str) -> bytes:
        nonce = os.urandom(12)
        sealed = self._aead[self.current_key_id].encrypt(nonce, id18.encode(), bound_to.encode())
        return bytes([self.current_key_id]) + nonce + sealed

    def decrypt(self, blob: bytes, *, bound_to: str) -> str:
        key_id, nonce, sealed = blob[0], blob[1:13], blob[13:]
        aead = self._aead.get(key_id)
        if aead is None:
            raise IdNumberError(f"no key with id {key_id} to decrypt this ID number")
        return aead.decrypt(nonce, sealed, bound_to.encode()).decode()

    def lookup_hash(self, id18: str) -> bytes:
        return hmac.digest(self.lookup_key, id18.encode(), hashlib.sha256)

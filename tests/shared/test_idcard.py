"""shared.idcard: GB 11643 validation, derived facts, and the row-bound cipher.

Known-valid numbers are the worked examples published with GB 11643-1999; other valid
numbers are built with the MOD 11-2 rule re-derived here from DOMAIN.md, not from the
module under test.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date

import pytest
from cryptography.exceptions import InvalidTag

from shared.idcard import (
    IdCipher,
    IdNumberError,
    Sex,
    birth_date,
    check_char,
    mask,
    normalize,
    sex,
)

# The standard's own examples (GB 11643-1999, appendix).
BEIJING_1949 = "11010519491231002X"
SHANTOU_1880 = "440524188001010014"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def with_check(body17: str) -> str:
    """An 18-character number with a correct check character, computed independently."""
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return body17 + "10X98765432"[total % 11]


@pytest.mark.parametrize("number", [BEIJING_1949, SHANTOU_1880])
def test_published_examples_are_valid(number: str) -> None:
    assert normalize(number) == number
    assert check_char(number[:17]) == number[17]


def test_independent_check_digit_agrees_on_a_local_number() -> None:
    number = with_check("37040419850612003")
    assert normalize(number) == number


def test_lower_case_x_and_whitespace_are_normalised() -> None:
    assert normalize("  11010519491231002x \n") == BEIJING_1949


def test_fifteen_digit_number_is_upgraded() -> None:
    # The standard's example: the first-generation form of BEIJING_1949.
    assert normalize("110105491231002") == BEIJING_1949


def test_address_code_outside_the_district_is_accepted() -> None:
    # DOMAIN.md: do not require the address code to be 370404.
    assert normalize(BEIJING_1949).startswith("110105")


def test_wrong_check_character_is_rejected() -> None:
    with pytest.raises(IdNumberError, match="check character"):
        normalize(BEIJING_1949[:17] + "1")


@pytest.mark.parametrize("body", ["11010519490230002", "11010519491301002", "11010519490000002"])
def test_impossible_birth_date_is_rejected(body: str) -> None:
    with pytest.raises(IdNumberError, match="birth date"):
        normalize(with_check(body))


def test_future_birth_date_is_rejected() -> None:
    number = with_check("37040420300101001")
    with pytest.raises(IdNumberError, match="out of range"):
        normalize(number, today=date(2020, 1, 1))
    # The same number is fine once that day has come.
    assert normalize(number, today=date(2030, 1, 1)) == number


def test_birth_before_1880_is_rejected() -> None:
    with pytest.raises(IdNumberError, match="out of range"):
        normalize(with_check("44052418791231001"))


@pytest.mark.parametrize(
    "raw",
    ["", "11010519491231002", "11010519491231002XX", "1101051949123100X2", "11010519491231002Y"],
)
def test_malformed_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(IdNumberError, match="18 characters"):
        normalize(raw)


def test_error_message_does_not_echo_the_number() -> None:
    with pytest.raises(IdNumberError) as caught:
        normalize(BEIJING_1949[:17] + "1")
    assert BEIJING_1949[:17] not in str(caught.value)


def test_full_width_digits_are_rejected() -> None:
    # Accepting them would give the same person a second lookup hash.
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in BEIJING_1949[:17]) + "X"
    with pytest.raises(IdNumberError):
        normalize(full_width)


def test_check_char_needs_seventeen_digits() -> None:
    with pytest.raises(IdNumberError):
        check_char("1101051949123100")
    with pytest.raises(IdNumberError):
        check_char("1101051949123100A")


def test_sex_and_birth_date() -> None:
    # The 17th digit: odd for men, even for women.
    assert sex(BEIJING_1949) is Sex.female
    assert sex(SHANTOU_1880) is Sex.male
    assert birth_date(BEIJING_1949) == date(1949, 12, 31)
    assert birth_date(SHANTOU_1880) == date(1880, 1, 1)


def test_mask_keeps_area_and_last_four() -> None:
    assert mask(BEIJING_1949) == "110105********002X"
    assert len(mask(BEIJING_1949)) == 18


def make_cipher(*, keys: dict[int, bytes] | None = None, current: int = 1) -> IdCipher:
    return IdCipher(
        keys=keys or {1: b"k" * 32},
        current_key_id=current,
        lookup_key=b"lookup-key-for-tests-000000000000",
    )


def test_encrypt_decrypt_round_trip() -> None:
    cipher = make_cipher()
    blob = cipher.encrypt(BEIJING_1949, bound_to="member-1")
    assert BEIJING_1949.encode() not in blob
    assert cipher.decrypt(blob, bound_to="member-1") == BEIJING_1949


def test_encryption_is_randomised() -> None:
    cipher = make_cipher()
    one = cipher.encrypt(BEIJING_1949, bound_to="member-1")
    two = cipher.encrypt(BEIJING_1949, bound_to="member-1")
    assert one != two


def test_ciphertext_is_bound_to_its_row() -> None:
    cipher = make_cipher()
    blob = cipher.encrypt(BEIJING_1949, bound_to="member-1")
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, bound_to="member-2")


def test_tampered_ciphertext_fails() -> None:
    cipher = make_cipher()
    blob = bytearray(cipher.encrypt(BEIJING_1949, bound_to="member-1"))
    blob[-1] ^= 0x01
    with pytest.raises(InvalidTag):
        cipher.decrypt(bytes(blob), bound_to="member-1")


def test_key_rotation_keeps_old_rows_readable() -> None:
    old_key, new_key = b"o" * 32, b"n" * 32
    old = make_cipher(keys={1: old_key}, current=1)
    blob = old.encrypt(BEIJING_1949, bound_to="member-1")
    rotated = make_cipher(keys={1: old_key, 2: new_key}, current=2)
    assert rotated.decrypt(blob, bound_to="member-1") == BEIJING_1949
    fresh = rotated.encrypt(BEIJING_1949, bound_to="member-1")
    assert fresh[0] == 2
    assert rotated.decrypt(fresh, bound_to="member-1") == BEIJING_1949


def test_lookup_hash_is_stable_and_keyed() -> None:
    a, b = make_cipher(), make_cipher(keys={1: b"x" * 32})
    # Stable across instances with the same look-up key, whatever the encryption key.
    assert a.lookup_hash(BEIJING_1949) == b.lookup_hash(BEIJING_1949)
    expected = hmac.new(a.lookup_key, BEIJING_1949.encode(), hashlib.sha256).digest()
    assert a.lookup_hash(BEIJING_1949) == expected
    assert a.lookup_hash(BEIJING_1949) != hashlib.sha256(BEIJING_1949.encode()).digest()
    other_key = IdCipher(keys=a.keys, current_key_id=1, lookup_key=b"another-lookup-key")
    assert other_key.lookup_hash(BEIJING_1949) != a.lookup_hash(BEIJING_1949)
    assert a.lookup_hash(SHANTOU_1880) != a.lookup_hash(BEIJING_1949)

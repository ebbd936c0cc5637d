"""Korean business registration numbers (사업자등록번호): format and check digit.

The number is 10 digits, written NNN-NN-NNNNN. The 10th digit checks the first nine
(the National Tax Service's published rule, as implemented in e.g. python-stdnum's
``stdnum.kr.brn`` docs and the NTS 사업자등록번호 검증 algorithm):

    s = Σ d[i] × w[i] for i = 0..8 with weights 1,3,7,1,3,7,1,3,5
    s += (d[8] × 5) // 10            # the extra term from the 9th digit
    check = (10 - s % 10) % 10       # must equal d[9]

Some libraries check only the 3-2-5 format; this one checks the digit too.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_FORMAT = re.compile(r"^\d{3}-?\d{2}-?\d{5}$")


def normalise_business_number(value: str) -> str:
    """'123-45-67891' -> '1234567891'; anything else is returned stripped, for the validator."""
    value = (value or "").strip()
    if _FORMAT.match(value):
        return value.replace("-", "")
    return value


def format_business_number(value: str) -> str:
    """'1234567891' -> '123-45-67891', as the number is written everywhere it is shown."""
    digits = normalise_business_number(value)
    if re.fullmatch(r"\d{10}", digits):
        return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}"
    return value or ""


def check_digit(first_nine: str) -> int:
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, WEIGHTS, strict=True))
    total += digits[8] * 5 // 10
    return (10 - total % 10) % 10


def validate_business_number(value: str) -> None:
    number = normalise_business_number(value)
    if not re.fullmatch(r"\d{10}", number):
        raise ValidationError(
            _("A business registration number has 10 digits (e.g. 123-45-67891)."), code="format"
        )
    if check_digit(number[:9]) != int(number[9]):
        raise ValidationError(
            _("The check digit (last digit) of this business registration number is wrong."),
            code="check_digit",
        )

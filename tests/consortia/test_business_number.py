import pytest
from django.core.exceptions import ValidationError

from consortia.business_number import normalise_business_number, validate_business_number


@pytest.mark.parametrize("raw", ["123-45-67891", "1234567891", " 123-45-67891 "])
def test_valid_numbers_are_accepted_and_normalised(raw):
    validate_business_number(raw)
    assert normalise_business_number(raw) == "1234567891"


def test_wrong_check_digit_is_refused_for_its_check_digit():
    with pytest.raises(ValidationError) as caught:
        validate_business_number("123-45-67890")
    assert caught.value.code == "check_digit"
    assert "check digit" in str(caught.value.messages[0]) or "검증" in str(caught.value.messages[0])


@pytest.mark.parametrize("raw", ["", "12345", "123-456-7890", "12345678901", "abc-de-fghij"])
def test_malformed_numbers_are_refused_for_their_format(raw):
    with pytest.raises(ValidationError) as caught:
        validate_business_number(raw)
    assert caught.value.code == "format"


def test_the_ninth_digit_extra_term_matters():
    # 9th digit 9: 9*5=45 -> +4. Without the extra term the check digit would be 5, not 1.
    validate_business_number("1234567891")
    with pytest.raises(ValidationError):
        validate_business_number("1234567895")

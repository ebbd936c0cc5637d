import pytest

from config.josa import josa, with_josa
from consortia.business_number import format_business_number


@pytest.mark.parametrize(
    ("word", "particle", "expected"),
    [
        ("충남대학교", "이(가)", "충남대학교가"),
        ("(주)오송바이오", "이(가)", "(주)오송바이오가"),
        ("경상북도", "은(는)", "경상북도는"),
        ("전남광주통합특별시", "이(가)", "전남광주통합특별시가"),
        ("한국전자통신연구원", "을(를)", "한국전자통신연구원을"),
        ("서울", "(으)로", "서울로"),
        ("충북", "(으)로", "충북으로"),
        ("충청남도 (44)", "은(는)", "충청남도 (44)는"),
        ("전라남도 (46)", "은(는)", "전라남도 (46)은"),
        ("LG", "이(가)", "LG이(가)"),
    ],
)
def test_the_particle_follows_the_word(word, particle, expected):
    assert with_josa(word, particle) == expected


def test_every_particle_of_a_message_is_resolved():
    assert josa("충남대학교이(가) 추가되었습니다. 충청북도은(는) 유효합니다.") == (
        "충남대학교가 추가되었습니다. 충청북도는 유효합니다."
    )


def test_business_numbers_are_written_with_dashes():
    assert format_business_number("1234567891") == "123-45-67891"
    assert format_business_number("123-45-67891") == "123-45-67891"
    assert format_business_number("") == ""

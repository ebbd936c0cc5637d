"""Korean particles (조사) that follow the word: "충남대학교가", "(주)오송바이오가", "충청남도 (44)는".

Korean messages are written with both forms, as Korean software commonly does ("%(org)s이(가)");
`josa()` picks the one the preceding word takes, by whether its last syllable has a final
consonant (받침). A word ending in Latin letters keeps both forms: its reading is unknown.
"""

import re

# (written form, after a final consonant, after a vowel)
_PAIRS = {
    "이(가)": ("이", "가"),
    "을(를)": ("을", "를"),
    "은(는)": ("은", "는"),
    "과(와)": ("과", "와"),
    "(으)로": ("으로", "로"),
    "(이)라": ("이라", "라"),
}
_PATTERN = re.compile("|".join(re.escape(k) for k in _PAIRS))
# Digits as read in Sino-Korean: 영 일 이 삼 사 오 육 칠 팔 구; True where the reading ends in a consonant.
_DIGIT_FINAL = {"0": "ㅇ", "1": "ㄹ", "3": "ㅁ", "6": "ㄱ", "7": "ㄹ", "8": "ㄹ"}
_SKIP = set(")]}»\"'」』’” ")


def _final(text: str) -> str | None:
    """The final consonant of the word ending `text`: "" for a vowel, None when unknown."""
    for ch in reversed(text):
        if ch in _SKIP:
            continue
        if "가" <= ch <= "힣":
            jong = (ord(ch) - 0xAC00) % 28
            return "" if jong == 0 else ("ㄹ" if jong == 8 else "ㅇ")
        if ch.isdigit():
            return _DIGIT_FINAL.get(ch, "")
        return None
    return None


def josa(text: str) -> str:
    """Resolves every "이(가)"-style particle in `text` against the word before it."""

    def pick(match: re.Match) -> str:
        written = match.group(0)
        final = _final(text[: match.start()])
        if final is None:
            return written
        with_final, without = _PAIRS[written]
        if written == "(으)로" and final == "ㄹ":
            return without  # 서울로, 충북으로; ㄹ takes 로
        return with_final if final else without

    return _PATTERN.sub(pick, str(text))


def with_josa(word: str, particle: str) -> str:
    """The word with its particle: with_josa("충남대학교", "이(가)") -> "충남대학교가"."""
    return josa(f"{word}{particle}")

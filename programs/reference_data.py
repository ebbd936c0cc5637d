"""The provinces and the 5+2 wide regions as in law on 2026-11-25 (domain.md).

Loaded by a data migration and by `manage.py load_reference_data`; both are idempotent.
"""

import datetime as dt

D = dt.date

# code, name, English name, in force from, until (last day), successor codes
PROVINCES = [
    ("11", "서울특별시", "Seoul", D(1949, 8, 15), None, []),
    ("26", "부산광역시", "Busan", D(1963, 1, 1), None, []),
    ("27", "대구광역시", "Daegu", D(1981, 7, 1), None, []),
    ("28", "인천광역시", "Incheon", D(1981, 7, 1), None, []),
    ("29", "광주광역시", "Gwangju", D(1986, 11, 1), D(2026, 6, 30), ["12"]),
    ("30", "대전광역시", "Daejeon", D(1989, 1, 1), None, []),
    ("31", "울산광역시", "Ulsan", D(1997, 7, 15), None, []),
    ("36", "세종특별자치시", "Sejong", D(2012, 7, 1), None, []),
    ("41", "경기도", "Gyeonggi", D(1946, 1, 1), None, []),
    ("42", "강원도", "Gangwon", D(1946, 1, 1), D(2023, 6, 10), ["51"]),
    ("43", "충청북도", "North Chungcheong", D(1946, 1, 1), None, []),
    ("44", "충청남도", "South Chungcheong", D(1946, 1, 1), None, []),
    ("45", "전라북도", "North Jeolla", D(1946, 1, 1), D(2024, 1, 17), ["52"]),
    ("46", "전라남도", "South Jeolla", D(1946, 1, 1), D(2026, 6, 30), ["12"]),
    ("47", "경상북도", "North Gyeongsang", D(1946, 1, 1), None, []),
    ("48", "경상남도", "South Gyeongsang", D(1946, 1, 1), None, []),
    ("50", "제주특별자치도", "Jeju", D(2006, 7, 1), None, []),
    ("51", "강원특별자치도", "Gangwon State", D(2023, 6, 11), None, []),
    ("52", "전북특별자치도", "Jeonbuk State", D(2024, 1, 18), None, []),
    ("12", "전남광주통합특별시", "Jeonnam-Gwangju Special City", D(2026, 7, 1), None, []),
]

# The common short names (약칭), by code: organisation search finds 충청북도 by 충북.
SHORT_NAMES = {
    "11": "서울",
    "26": "부산",
    "27": "대구",
    "28": "인천",
    "29": "광주",
    "30": "대전",
    "31": "울산",
    "36": "세종",
    "41": "경기",
    "42": "강원",
    "43": "충북",
    "44": "충남",
    "45": "전북",
    "46": "전남",
    "47": "경북",
    "48": "경남",
    "50": "제주",
    "51": "강원",
    "52": "전북",
    "12": "전남광주",
}

DEFAULT_SCHEME = ("5+2 광역권", "5+2 wide regions")
# code, name, English name, capital area?, province codes (every period)
REGIONS_5_2 = [
    ("capital", "수도권", "Capital", True, ["11", "28", "41"]),
    ("chungcheong", "충청권", "Chungcheong", False, ["30", "36", "43", "44"]),
    ("honam", "호남권", "Honam", False, ["29", "45", "46", "52", "12"]),
    ("daegyeong", "대경권", "Daegyeong", False, ["27", "47"]),
    ("dongnam", "동남권", "Dongnam", False, ["26", "31", "48"]),
    ("gangwon", "강원권", "Gangwon", False, ["42", "51"]),
    ("jeju", "제주권", "Jeju", False, ["50"]),
]


def load(apps=None) -> None:
    """Creates what is missing; never overwrites an administrator's corrections."""
    if apps is None:
        from django.apps import apps as global_apps

        apps = global_apps
    Province = apps.get_model("programs", "Province")
    Succession = apps.get_model("programs", "ProvinceSuccession")
    RegionScheme = apps.get_model("programs", "RegionScheme")
    Region = apps.get_model("programs", "Region")

    by_code = {}
    for code, name, name_en, start, end, _succ in PROVINCES:
        province, _ = Province.objects.get_or_create(
            name=name,
            effective_from=start,
            defaults={"code": code, "name_en": name_en, "effective_to": end},
        )
        by_code[code] = province
        if hasattr(province, "short_name") and not province.short_name:
            province.short_name = SHORT_NAMES.get(code, "")
            province.save(update_fields=["short_name"])
    for code, *_rest, successors in PROVINCES:
        for succ in successors:
            Succession.objects.get_or_create(predecessor=by_code[code], successor=by_code[succ])

    scheme, _ = RegionScheme.objects.get_or_create(
        name=DEFAULT_SCHEME[0],
        defaults={
            "name_en": DEFAULT_SCHEME[1],
            "is_default": not RegionScheme.objects.filter(is_default=True).exists(),
        },
    )
    for order, (code, name, name_en, capital, codes) in enumerate(REGIONS_5_2):
        region, _ = Region.objects.get_or_create(
            scheme=scheme,
            code=code,
            defaults={"name": name, "name_en": name_en, "order": order, "is_capital_area": capital},
        )
        region.provinces.add(*[by_code[c] for c in codes])

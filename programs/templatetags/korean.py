from django import template

from config.josa import with_josa
from consortia.business_number import format_business_number

register = template.Library()


@register.filter
def josa(word, particle: str) -> str:
    """{{ org.name|josa:"이(가)" }} -> "충남대학교가"."""
    return with_josa(str(word), particle)


@register.filter
def brn(number) -> str:
    """A business registration number as it is written: 123-45-67890."""
    return format_business_number(number or "") or "—"


@register.filter
def calendar_year(plan_year, call) -> str:
    """{{ k.year|calendar_year:application.call }} -> "2027년": plan years are shown by calendar year."""
    from consortia.budget import year_label

    return year_label(call.calendar_year(int(plan_year)))

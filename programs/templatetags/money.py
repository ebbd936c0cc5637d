from django import template

from programs.money import format_krw, format_won

register = template.Library()


@register.filter
def krw(amount) -> str:
    return "" if amount in (None, "") else format_krw(int(amount))


@register.filter
def won(amount) -> str:
    return "" if amount in (None, "") else format_won(int(amount))

"""Whole-won amounts shown the way Korean officers read them (원, 만원, 백만원, 억원)."""

from __future__ import annotations

EOK = 100_000_000  # 억
MAN = 10_000  # 만


def format_won(amount: int) -> str:
    """1234567 -> '1,234,567원'."""
    return f"{amount:,}원"


def format_krw(amount: int) -> str:
    """Exact, in Korean units: 5500000000 -> '55억원', 550001234 -> '5억 5만 1,234원'."""
    if amount == 0:
        return "0원"
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    eok, rest = divmod(amount, EOK)
    man, won = divmod(rest, MAN)
    parts = []
    if eok:
        parts.append(f"{eok:,}억")
    if man:
        parts.append(f"{man:,}만")
    if won:
        parts.append(f"{won:,}")
    return sign + " ".join(parts) + "원"

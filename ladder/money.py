"""Money as people in a region read it, and which currencies fit which region.

Pure functions so the admin, templates, API and importer agree on one rule.
"""

from __future__ import annotations

import re
from decimal import Decimal

# A region is an ISO 3166-1 alpha-2 country code, in capitals wherever it is stored.
REGION_CODE = re.compile(r"[A-Z]{2}")
MSG_REGION = "must be a two-letter ISO 3166 country code in capitals, e.g. IN or US"
# What a visitor's or partner's request may send: a code in either case (upper-cased
# before it is stored, then a REGION_CODE), or nothing.
REGION_INPUT = r"^([A-Za-z]{2})?$"


def is_region_code(value: object) -> bool:
    return isinstance(value, str) and REGION_CODE.fullmatch(value) is not None


def out_of_order(low: float | None, high: float | None) -> bool:
    """A range whose top is below its bottom (pay, years); an open end never is."""
    return low is not None and high is not None and high < low


# ISO 3166-1 alpha-2 region -> currencies a salary there is quoted in.
# Regions not listed accept any ISO 4217 code; the map only catches mistakes
# such as an Indian band in USD or a US band in INR.
REGION_CURRENCIES: dict[str, frozenset[str]] = {
    "IN": frozenset({"INR"}),
    "US": frozenset({"USD"}),
    "GB": frozenset({"GBP"}),
    "CA": frozenset({"CAD"}),
    "AU": frozenset({"AUD"}),
    "SG": frozenset({"SGD"}),
    "AE": frozenset({"AED"}),
    "JP": frozenset({"JPY"}),
    "CN": frozenset({"CNY"}),
    "BR": frozenset({"BRL"}),
    "CH": frozenset({"CHF"}),
    "SE": frozenset({"SEK"}),
    "PL": frozenset({"PLN"}),
    **{
        country: frozenset({"EUR"})
        for country in (
            [
                "AT",
                "BE",
                "CY",
                "DE",
                "EE",
                "ES",
                "FI",
                "FR",
                "GR",
                "HR",
                "IE",
                "IT",
                "LT",
                "LU",
                "LV",
                "MT",
                "NL",
                "PT",
                "SI",
                "SK",
            ]
        )
    },
}

# Human names for the regions salary bands are quoted in; unknown codes show as the code.
REGION_NAMES: dict[str, str] = {
    "AE": "United Arab Emirates",
    "AU": "Australia",
    "BR": "Brazil",
    "CA": "Canada",
    "CH": "Switzerland",
    "CN": "China",
    "DE": "Germany",
    "ES": "Spain",
    "FR": "France",
    "GB": "United Kingdom",
    "IE": "Ireland",
    "IN": "India",
    "IT": "Italy",
    "JP": "Japan",
    "NL": "Netherlands",
    "PL": "Poland",
    "SE": "Sweden",
    "SG": "Singapore",
    "US": "United States",
}

CURRENCY_SYMBOLS = {"INR": "₹", "USD": "$", "GBP": "£", "EUR": "€", "JPY": "¥", "CNY": "¥"}

PERIOD_SUFFIX = {"year": "", "month": "/mo", "hour": "/hr"}


def region_name(code: str) -> str:
    return REGION_NAMES.get(code, code)


def currency_fits_region(region: str, currency: str) -> bool:
    allowed = REGION_CURRENCIES.get(region.upper())
    return allowed is None or currency.upper() in allowed


def _trim(number: Decimal) -> str:
    text = f"{number:.1f}"
    return text.removesuffix(".0")


def _indian_amount(amount: int) -> tuple[str, str]:
    """Lakhs per annum (LPA) below a crore, crores above: how Indian pay is quoted."""
    lakhs = round(Decimal(amount) / 100_000, 1)
    if lakhs >= 100:
        return _trim(Decimal(amount) / 10_000_000), " Cr"
    return _trim(lakhs), " LPA"


def _western_amount(amount: int) -> str:
    # Choose the unit after rounding, so 999,999 reads $1M rather than $1000K.
    thousands = round(Decimal(amount) / 1_000, 1)
    if thousands >= 1_000:
        return f"{_trim(Decimal(amount) / 1_000_000)}M"
    if amount >= 1_000:
        return f"{_trim(thousands)}K"
    return str(amount)


def format_range(low: int, high: int, currency: str, period: str = "year") -> str:
    """A band as the region reads it: ₹10–22 LPA, $100K–$145K, £50K–£70K/mo."""
    currency = currency.upper()
    suffix = PERIOD_SUFFIX.get(period, f"/{period}")
    symbol = CURRENCY_SYMBOLS.get(currency)
    if currency == "INR" and period == "year":
        low_text, low_unit = _indian_amount(low)
        high_text, high_unit = _indian_amount(high)
        if low == high:
            return f"₹{high_text}{high_unit}"
        if low_unit == high_unit:
            return f"₹{low_text}–{high_text}{high_unit}"
        # A band that starts in lakhs is quoted in lakhs throughout: ₹50–100 LPA.
        return f"₹{low_text}–{_trim(round(Decimal(high) / 100_000, 1))} LPA"
    if symbol is None:
        if low == high:
            return f"{low:,} {currency}{suffix}"
        return f"{low:,}–{high:,} {currency}{suffix}"
    if low == high:
        return f"{symbol}{_western_amount(low)}{suffix}"
    return f"{symbol}{_western_amount(low)}–{symbol}{_western_amount(high)}{suffix}"

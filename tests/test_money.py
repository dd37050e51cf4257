"""Money as people in a region read it, and which currencies fit which region."""

from __future__ import annotations

import pytest

from ladder.money import currency_fits_region, format_range


@pytest.mark.parametrize(
    ("low", "high", "currency", "period", "expected"),
    [
        # India: lakhs per annum; crores when the whole band is from 1 Cr up.
        (1_000_000, 2_200_000, "INR", "year", "₹10–22 LPA"),
        (500_000, 900_000, "INR", "year", "₹5–9 LPA"),
        (1_250_000, 1_850_000, "INR", "year", "₹12.5–18.5 LPA"),
        (10_000_000, 22_000_000, "INR", "year", "₹1–2.2 Cr"),
        (5_000_000, 12_000_000, "INR", "year", "₹50–120 LPA"),
        (5_000_000, 10_000_000, "INR", "year", "₹50–100 LPA"),
        (1_000_000, 2_200_000, "inr", "year", "₹10–22 LPA"),
        # Dollars, euros, pounds: thousands as K, millions as M.
        (100_000, 145_000, "USD", "year", "$100K–$145K"),
        (1_200_000, 1_500_000, "USD", "year", "$1.2M–$1.5M"),
        (950_000, 1_200_000, "USD", "year", "$950K–$1.2M"),
        (55_000, 72_500, "EUR", "year", "€55K–€72.5K"),
        (50_000, 70_000, "GBP", "year", "£50K–£70K"),
        # Other periods carry a suffix.
        (5_000, 7_000, "USD", "month", "$5K–$7K/mo"),
        (40, 85, "USD", "hour", "$40–$85/hr"),
        (4_000, 6_000, "GBP", "month", "£4K–£6K/mo"),
        (50_000, 80_000, "INR", "month", "₹50K–₹80K/mo"),
        # A currency with no symbol: full amounts with thousands separators and the code.
        (900_000, 1_200_000, "KES", "year", "900,000–1,200,000 KES"),
        (900_000, 1_200_000, "KES", "month", "900,000–1,200,000 KES/mo"),
    ],
)
def test_format_range(low, high, currency, period, expected):
    assert format_range(low, high, currency, period) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "period", "expected"),
    [
        (2_200_000, "INR", "year", "₹22 LPA"),
        (15_000_000, "INR", "year", "₹1.5 Cr"),
        (145_000, "USD", "year", "$145K"),
        (1_200_000, "USD", "year", "$1.2M"),
        (60_000, "EUR", "year", "€60K"),
        (900, "USD", "year", "$900"),
        (90, "GBP", "hour", "£90/hr"),
        (900_000, "KES", "year", "900,000 KES"),
        (12_000, "CHF", "month", "12,000 CHF/mo"),
    ],
)
def test_a_band_of_one_amount_reads_as_that_amount(amount, currency, period, expected):
    assert format_range(amount, amount, currency, period) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        # Rounding up to the next unit must switch unit, not print "1000K" or "100 LPA".
        (999_999, "USD", "$1M"),
        (9_999_999, "INR", "₹1 Cr"),
    ],
)
def test_rounding_up_to_the_next_unit_uses_that_unit(amount, currency, expected):
    assert format_range(amount, amount, currency) == expected


@pytest.mark.parametrize(
    ("region", "currency", "fits"),
    [
        ("IN", "INR", True),
        ("IN", "USD", False),
        ("US", "USD", True),
        ("US", "INR", False),
        ("GB", "GBP", True),
        ("GB", "EUR", False),
        ("DE", "EUR", True),
        ("FR", "EUR", True),
        ("DE", "USD", False),
        ("in", "inr", True),
        # Regions the map does not know accept any currency.
        ("KE", "KES", True),
        ("KE", "USD", True),
    ],
)
def test_currency_fits_region(region, currency, fits):
    assert currency_fits_region(region, currency) is fits

"""Accept-Language picks French or English (RFC 9110 q-values); anything else falls back to English."""

import pytest

from casework.i18n import negotiate


@pytest.mark.parametrize("header", ["fr", "FR", "fr-FR", "fr-CA", "fr_BE", "fr;q=1.0", " fr ; q=0.7 , en ; q=0.3"])
def test_french_in_any_region_or_case_selects_french(header):
    assert negotiate(header) == "fr"


@pytest.mark.parametrize("header", [None, "", "en", "en-GB", "en-US,en;q=0.9"])
def test_no_header_or_english_selects_english(header):
    assert negotiate(header) == "en"


@pytest.mark.parametrize(
    "header, language",
    [
        ("en-US,fr;q=0.9", "en"),
        ("fr;q=0.2, en;q=0.8", "en"),
        ("en;q=0.1, fr", "fr"),
        ("de, fr;q=0.5", "fr"),
        ("de;q=0.9, es;q=0.8, fr;q=0.1", "fr"),
        ("fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5", "fr"),
    ],
)
def test_the_highest_q_value_among_the_known_languages_wins(header, language):
    assert negotiate(header) == language


def test_equal_q_values_keep_the_clients_order():
    assert negotiate("fr, en") == "fr"
    assert negotiate("en, fr") == "en"


@pytest.mark.parametrize("header", ["de", "es-ES, it;q=0.8", "frx", "i-klingon", "zz"])
def test_unknown_languages_fall_back_to_english(header):
    assert negotiate(header) == "en"


@pytest.mark.parametrize("header", ["fr;q=0", "fr;q=0.0, de", "fr;q=abc"])
def test_french_refused_or_with_an_unreadable_q_value_is_not_chosen(header):
    assert negotiate(header) == "en"


@pytest.mark.parametrize("header", ["*", "de, *", "es;q=0.9, *;q=0.1, fr;q=0.05"])
def test_a_wildcard_before_french_means_any_language_so_english(header):
    assert negotiate(header) == "en"


def test_french_preferred_over_the_wildcard_is_chosen():
    assert negotiate("fr;q=0.9, *;q=0.1") == "fr"

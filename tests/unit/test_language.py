"""The customer's language from Telegram's language_code: Russian for Russian-speaking clients, else English."""
import pytest

from lib.accounts.language import LANGUAGES as RULE_LANGUAGES
from lib.accounts.language import language_for
from lib.texts import LANGUAGES


@pytest.mark.parametrize("code", ["ru", "uk", "be", "kk", "ru-RU", "uk-UA", "RU", "Be"])
def test_russian_ukrainian_belarusian_and_kazakh_clients_get_russian(code):
    assert language_for(code) == "ru"


@pytest.mark.parametrize("code", ["en", "en-US", "de", "pt-br", "kz", "", None, "r", "u"])
def test_everyone_else_and_clients_without_a_language_get_english(code):
    assert language_for(code) == "en"


def test_the_rule_only_answers_languages_the_shop_has_texts_for():
    assert set(RULE_LANGUAGES) == set(LANGUAGES)

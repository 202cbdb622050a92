"""The fake Telegram as its own tests use it: on a frozen clock, driven by a plain TeleBot that sees the
raw Bot API answers (the shop's own 429-retrying sender is set aside)."""
import pytest
import telebot
from telebot import apihelper

from tests.fakes.clock import FakeClock
from tests.fakes.proxmox import FakeProxmox
from tests.fakes.telegram import FakeTelegram
from tests.support.fake_checks import START, TOKEN
from tests.support.pve_checks import client


@pytest.fixture
def tg():
    fake = FakeTelegram(TOKEN, clock=FakeClock(start=START))
    fake.start()
    saved = apihelper.API_URL, apihelper.CUSTOM_REQUEST_SENDER
    apihelper.API_URL, apihelper.CUSTOM_REQUEST_SENDER = fake.api_url, None
    yield fake
    apihelper.API_URL, apihelper.CUSTOM_REQUEST_SENDER = saved
    fake.stop()


@pytest.fixture
def bot(tg):
    return telebot.TeleBot(TOKEN, threaded=False)


@pytest.fixture
def pve():
    fake = FakeProxmox(clock=FakeClock(start=START))
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def api(pve):
    return client(pve)

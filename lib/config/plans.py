"""The plans file: what the shop sells, for how long and at what price."""
import re
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from lib.config.durations import parse_duration

DEFAULT_PLANS_FILE = Path(__file__).resolve().parents[2] / "plans.yaml"
# Plan ids travel inside Telegram callback data (64 bytes in all), so keep them short.
_PLAN_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,23}$")
PRODUCTS = ("vpn", "vps")
VPS_SIZES = ("cores", "memory_mb", "disk_gb")


class PlansError(ValueError):
    """The plans file cannot be used as written."""


@dataclass(frozen=True)
class Plan:
    id: str
    product: str
    title: dict
    duration: timedelta
    price_rub: Decimal
    price_usdt: Decimal
    extra: dict = field(default_factory=dict)

    def title_in(self, language: str) -> str:
        """The title in a language, falling back to English, then any."""
        return self.title.get(language) or self.title.get("en") or next(iter(self.title.values()))

    @property
    def cores(self) -> int:
        return self.extra.get("cores", 0)

    @property
    def memory_mb(self) -> int:
        return self.extra.get("memory_mb", 0)

    @property
    def disk_gb(self) -> int:
        return self.extra.get("disk_gb", 0)

    @property
    def duration_days(self) -> int:
        return max(1, round(self.duration.total_seconds() / 86400))


@dataclass(frozen=True)
class Catalog:
    plans: tuple

    def for_product(self, product: str) -> list:
        return [p for p in self.plans if p.product == product]

    def get(self, plan_id: str):
        """The plan with this id, or None."""
        return next((p for p in self.plans if p.id == plan_id), None)


def _money(value, where: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise PlansError(f"{where} must be a number, not {value!r}") from None
    if amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise PlansError(f"{where} must be positive with at most two decimals, not {value!r}")
    return amount


def _parse_plan(product: str, raw: dict, index: int) -> Plan:
    where = f"{product}[{index}]"
    if not isinstance(raw, dict):
        raise PlansError(f"{where} must be a mapping of id, title, duration and prices")
    plan_id = str(raw.get("id", ""))
    if not _PLAN_ID.match(plan_id):
        raise PlansError(f"{where}.id must be 1-24 lowercase letters, digits, '-', '_' or '.', not {plan_id!r}")
    title = raw.get("title")
    if isinstance(title, str):
        title = {"en": title, "ru": title}
    if not isinstance(title, dict) or not title:
        raise PlansError(f"{where}.title must be text or a mapping like {{ru: ..., en: ...}}")
    try:
        duration = parse_duration(raw.get("duration", ""))
    except ValueError as exc:
        raise PlansError(f"{where}.duration: {exc}") from None
    if product == "vps":
        for key in VPS_SIZES:
            value = raw.get(key)
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise PlansError(f"{where}.{key} must be a positive whole number, not {value!r}")
    known = {"id", "title", "duration", "price_rub", "price_usdt"}
    return Plan(
        id=plan_id, product=product, title={str(k): str(v) for k, v in title.items()},
        duration=duration,
        price_rub=_money(raw.get("price_rub"), f"{where}.price_rub"),
        price_usdt=_money(raw.get("price_usdt"), f"{where}.price_usdt"),
        extra={k: v for k, v in raw.items() if k not in known},
    )


def parse_catalog(data) -> Catalog:
    """Build a catalog from the parsed YAML document."""
    if not isinstance(data, dict):
        raise PlansError("the plans file must be a mapping with 'vpn' and/or 'vps' lists")
    plans, seen = [], set()
    for product in PRODUCTS:
        entries = data.get(product) or []
        if not isinstance(entries, list):
            raise PlansError(f"'{product}' must be a list of plans")
        for index, raw in enumerate(entries):
            plan = _parse_plan(product, raw, index)
            if plan.id in seen:
                raise PlansError(f"plan id {plan.id!r} is used twice")
            seen.add(plan.id)
            plans.append(plan)
    return Catalog(plans=tuple(plans))


def load_catalog(path) -> Catalog:
    """Read and validate the plans file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise PlansError(f"cannot read the plans file {path}: {exc.strerror}") from None
    try:
        return parse_catalog(yaml.safe_load(text))
    except yaml.YAMLError as exc:
        raise PlansError(f"the plans file {path} is not valid YAML: {exc}") from None

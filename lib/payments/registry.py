"""Which providers are on, and the adapter for one by name (imported only when asked for)."""
from lib.payments.base import PaymentProvider


class ProviderOff(LookupError):
    """The provider is not configured (or unknown)."""


def get_provider(settings, name: str) -> PaymentProvider:
    """The adapter for `name` with these settings; ProviderOff when it is not turned on."""
    if name not in settings.payment_providers():
        raise ProviderOff(f"payment provider {name!r} is off")
    if name == "cryptobot":
        from lib.payments.cryptobot import CryptoPayProvider
        return CryptoPayProvider(settings)
    if name == "yookassa":
        from lib.payments.yookassa import YooKassaProvider
        return YooKassaProvider(settings)
    if name == "sandbox":
        from lib.payments.sandbox import SandboxProvider
        return SandboxProvider()
    from lib.payments.balance import BalanceProvider
    return BalanceProvider()

"""Payment providers: Crypto Pay, YooKassa, a no-money sandbox, and the balance."""


class PaymentProviderError(RuntimeError):
    """The provider refused or could not be reached; safe to show as 'try again later'."""

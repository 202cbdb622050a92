"""The life of a subscription after the sale: reminders, expiry, grace deletion, renewal."""

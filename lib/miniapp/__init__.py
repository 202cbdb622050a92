"""The Telegram Mini App: initData verification, its JSON API and its page."""

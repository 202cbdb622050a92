"""A fake n8n webhook: checks X-Api-Key, records events, can be told to fail."""
import time

from flask import jsonify, request

from .http import FakeService


class FakeN8n(FakeService):
    def __init__(self, api_key="test-n8n-key"):
        super().__init__()
        self.api_key, self.received, self.fail_next = api_key, [], 0
        self.arrivals = []  # (time.time() when it arrived, event) of each event in `received`
        self.app.add_url_rule("/webhook/shop", view_func=self._receive, methods=["POST"])

    @property
    def webhook_url(self):
        return self.url + "/webhook/shop"

    def _receive(self):
        if request.headers.get("X-Api-Key") != self.api_key:
            return jsonify(message="Authorization data is wrong!"), 403
        with self._lock:
            if self.fail_next:
                self.fail_next -= 1
                return jsonify(message="Workflow could not be started"), 500
            event = request.get_json()
            self.received.append(event)
            self.arrivals.append((time.time(), event))
        return jsonify(message="Workflow was started")

    def names(self):
        return [e["event"] for e in self.received]

"""The ceiling for bench/webhook_ack.py: a bare Flask app under the same gunicorn settings as the shop.

POST /telegram_webhook answers 200 without reading the body or touching Redis; GET /readyz answers
200 so the bench can wait for it the same way it waits for the shop.
"""
from flask import Flask, Response

app = Flask(__name__)
_OK = b'{"ok": true, "duplicate": false}'  # same size as the shop's answer


@app.post("/telegram_webhook")
def telegram_webhook():
    return Response(_OK, status=200, mimetype="application/json")


@app.get("/readyz")
def readyz():
    return Response(b'{"ready": true}', status=200, mimetype="application/json")

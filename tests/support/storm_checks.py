"""Did the storm do everything exactly once? Each check lists what broke it (empty: it held)."""
from collections import Counter


def problems(result) -> dict:
    """{check: [offending order ids, or other evidence]} for a tests.support.storm_result.StormResult."""
    orders, users = result.orders, {row["user_id"]: row["order_id"] for row in result.seeded}
    paid_answers = Counter(shot.order_id for shot in result.shots if shot.result == "paid")
    payment_events = Counter(e["data"].get("order_id") for _, e in result.events if e["event"] == "payment.received")
    created_events = Counter(e["data"].get("telegram_id") for _, e in result.events if e["event"] == "vpn.created")
    documents, photos = result.sent("senddocument"), result.sent("sendphoto")
    conf_files = Counter(chat for _, m, chat, status, name in result.telegram
                         if m == "senddocument" and status == 200 and (name or "").endswith(".conf"))
    db_keys = {key for o in orders.values() for key in o["public_keys"]}
    wg_keys = {peer.public_key for peer in result.wg_peers}

    def each(ids, ok):
        return sorted(i for i in ids if not ok(i))
    return {
        "webhook_not_200": sorted({(s.order_id, s.status, s.result) for s in result.shots if s.status != 200}),
        "paid_answers_not_one": each(orders, lambda o: paid_answers[o] == 1),
        "not_fulfilled": each(orders, lambda o: orders[o]["status"] == "fulfilled"),
        "peers_not_one": each(orders, lambda o: orders[o]["peers"] == 1),
        "wg_differs_from_db": sorted(db_keys ^ wg_keys),
        "payments_not_one": each(orders, lambda o: orders[o]["payments"] == 1),
        "payment_entries_not_one": each(orders, lambda o: orders[o]["payment_entries"] == 1),
        "purchase_entries_not_one": each(orders, lambda o: orders[o]["purchase_entries"] == 1),
        "payment_events_not_one": each(orders, lambda o: payment_events[o] == 1),
        "vpn_created_events_not_one": each(users, lambda u: created_events[u] == 1),
        "configs_not_one": each(users, lambda u: documents[u] == conf_files[u] == photos[u] == 1),
        "missing_orders": sorted(set(users.values()) - set(orders)),
    }

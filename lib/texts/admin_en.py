"""The admin panel's texts in English (HTML templates; the same keys as admin_ru)."""
TEXTS = {
    # menu and buttons
    "adm_menu": "<b>🛠 Admin panel</b>\nChoose a section.",
    "adm_btn_stats": "📊 Stats", "adm_btn_chart": "📈 Chart, 30 days", "adm_btn_find": "🔎 Find user",
    "adm_btn_orders": "🧾 Orders", "adm_btn_servers": "🖥 Servers", "adm_btn_audit": "📜 Audit log",
    "adm_btn_broadcast": "📣 Broadcast", "adm_btn_admin": "⬅️ Admin panel", "adm_btn_refresh": "🔄 Refresh",
    "adm_btn_cancel": "✖️ Cancel", "adm_btn_ban": "🚫 Ban", "adm_btn_unban": "✅ Unban",
    "adm_btn_credit": "➕ Credit balance", "adm_btn_debit": "➖ Debit balance",
    "adm_btn_extend_vpn": "⏳ Extend VPN #{id}", "adm_btn_extend_vps": "⏳ Extend VPS #{id}",
    "adm_btn_order": "🧾 #{id}", "adm_btn_retry_n": "🔁 Retry #{id}", "adm_btn_retry": "🔁 Retry set-up",
    "adm_btn_refund": "↩️ Refund to balance", "adm_btn_refund_yes": "↩️ Yes, refund to the balance",
    "adm_btn_user": "👤 User card",
    # stats and chart
    "adm_stats": "<b>📊 Stats</b>\nUsers: <b>{users}</b> (new today {new_today}, 7 d {new_7d}, 30 d {new_30d}; "
                 "banned {banned})\nActive VPN peers: <b>{vpn_active}</b> (paused {vpn_paused})\n"
                 "Live VPS servers: <b>{vps_live}</b> (suspended {vps_suspended})\n"
                 "Failed provisions: <b>{failed_30d}</b> in 30 d, {failed_all} in all\n"
                 "Paid, not yet set up: {paid_waiting} · waiting for payment: {pending}",
    "adm_revenue_30d": "<b>Received, last 30 days</b>", "adm_revenue_all": "<b>Received, all time</b>",
    "adm_revenue_line": "• {provider}: {amount} ₽ ({count} payments)",
    "adm_last_days": "<b>Per day, last 7 days</b> (received · sales)",
    "adm_day_line": "{day}: {amount} ₽ · {sales}",
    "adm_none": "— none",
    "adm_chart_caption": "📈 {first} … {last}: bars are money received per day (₽), the line is sales "
                         "(orders paid) per day. In total: {revenue} ₽, {sales} sales.",
    # users
    "adm_find_prompt": "🔎 Send the user's Telegram id or @username.",
    "adm_bad_query": "That is neither a Telegram id (digits) nor a @username. Try again.",
    "adm_nobody": "Nobody found for “{query}”. Send another id or @username.",
    "adm_user_not_found": "There is no such user.",
    "adm_not_found": "Not found.",
    "adm_card": "<b>👤 User {user_id}</b> {username} · {name}\nLanguage: {locale} · since {since}\n"
                "Balance: <b>{balance} ₽</b>",
    "adm_banned_because": "Access: 🚫 banned — {reason}", "adm_not_banned_status": "Access: ✅ allowed",
    "adm_card_vpn": "<b>VPN peers</b> ({count})", "adm_card_vps": "<b>VPS servers</b> ({count})",
    "adm_card_orders": "<b>Orders</b> ({count}, newest first)",
    "adm_card_ledger": "<b>Balance history</b> ({count}, newest first)",
    "adm_card_peer": "#{id} · {status} · {address} · until {until}",
    "adm_card_server": "#{id} · {status} · {ip} · until {until}",
    "adm_card_order": "#{id} · {day} · {product} {plan} · {amount} ₽ · {provider} · {status}",
    "adm_card_entry": "{day} · {amount} ₽ · {kind} · {comment}",
    # ban
    "adm_ban_prompt": "🚫 Ban user {user_id}: send the reason (up to 200 characters).",
    "adm_unban_prompt": "✅ Unban user {user_id}: send the reason (up to 200 characters).",
    "adm_bad_reason": "The reason is empty. Send a few words.",
    "adm_too_long": "That is too long: at most {max} characters. Send it again, shorter.",
    "adm_banned_done": "🚫 User {user_id} is banned. Reason: {reason}",
    "adm_unbanned_done": "✅ User {user_id} is allowed again. Reason: {reason}",
    "adm_already_banned": "User {user_id} is already banned.",
    "adm_not_banned": "User {user_id} is not banned.",
    "adm_cannot_ban_admin": "An admin cannot be banned (remove them from ADMIN_IDS first).",
    "adm_ban_notice": "Access to this shop is blocked for your account.\nReason: {reason}",
    "adm_unban_notice": "Access to this shop is open for your account again. Send /start to see the menu.",
    # extend
    "adm_extend_prompt": "⏳ Extend {kind} #{id}: send the number of days (1 to 3650).",
    "adm_bad_days": "Send the number of days as digits, from 1 to {max}.",
    "adm_extended_done": "⏳ {kind} #{id} extended by {days} d: now valid until <b>{until}</b> "
                         "(status: {status}).",
    "adm_service_not_found": "There is no such service.",
    "adm_not_extendable": "This service is {status}: there is nothing left to extend.",
    # balance
    "adm_credit_prompt": "➕ Credit user {user_id}: send the amount in ₽ and a comment, e.g. "
                         "<code>100 compensation for downtime</code>.",
    "adm_debit_prompt": "➖ Debit user {user_id}: send the amount in ₽ and a comment, e.g. "
                        "<code>50 duplicate credit</code>.",
    "adm_bad_amount": "Send the amount and a comment, e.g. <code>100 goodwill</code>: the amount in ₽ "
                      "(up to 2 decimals, at most {max}), then a comment.",
    "adm_debit_too_much": "Refused: the balance is {balance} ₽, a debit may not take it below zero.",
    "adm_balance_done": "💰 Balance of user {user_id} changed by {amount} ₽, now <b>{balance} ₽</b>.",
    # orders
    "adm_orders": "<b>🧾 Orders needing attention</b>",
    "adm_orders_paid": "<b>Paid, not yet set up</b> ({count}, oldest first)",
    "adm_orders_pending": "<b>Waiting for payment</b> ({count}, newest first)",
    "adm_orders_failed": "<b>Failed</b> ({count}, newest first)",
    "adm_order_line": "#{id} · user {user_id} · {product} {plan} · {amount} ₽ · {provider} · {day}",
    "adm_order": "<b>🧾 Order #{id}</b>\nUser: {user_id}\n{product} {plan} · {amount} ₽ via {provider}\n"
                 "Status: <b>{status}</b> · attempts: {attempts}\nCreated: {created}\nPaid: {paid}\n"
                 "Last error: {error}",
    "adm_order_not_found": "There is no such order.",
    "adm_retry_queued": "🔁 Set-up of order #{order_id} is queued again.",
    "adm_retry_failed": "Order #{order_id} failed for good and its money is already back on the customer's "
                        "balance, so it cannot be retried. The customer can simply buy again.",
    "adm_retry_not_paid": "Order #{order_id} is {status}: only a paid order waiting for set-up can be retried.",
    "adm_refund_confirm": "↩️ Refund order #{id} ({amount} ₽, user {user_id}, {status}) to the balance? "
                          "The service it bought is removed.",
    "adm_refund_queued": "↩️ Refund of order #{order_id} to the balance is queued.",
    "adm_refund_refused": "Order #{order_id} is {status}: there is nothing to refund.",
    # servers
    "adm_servers": "<b>🖥 Servers</b>",
    "adm_px_off": "Proxmox: off (PROXMOX_HOST is not set, VPS sales are off).",
    "adm_px_down": "⚠️ Proxmox node {node} is not reachable: {error}",
    "adm_px_ok": "Proxmox node <b>{node}</b>: CPU {cpu}% of {cpus}, load {load}\n"
                 "Memory {mem} of {mem_total}, root disk {disk} of {disk_total}, up {up_d} d {up_h} h",
    "adm_px_pool": "IP pool: <b>{free}</b> of {size} addresses free",
    "adm_wg_off": "WireGuard: off (WG_ENDPOINT is not set, VPN sales are off).",
    "adm_wg_down": "⚠️ WireGuard {interface} is not reachable: {error}",
    "adm_wg_ok": "WireGuard <b>{interface}</b>: {total} peers, {online} seen in the last 3 min",
    "adm_wg_peer": "VPN #{peer_id} (user {user_id})", "adm_wg_stranger": "{fingerprint}… (not in the shop)",
    "adm_wg_line": "{who} · handshake {seen} · rx {rx} · tx {tx}",
    "adm_and_more": "…and {n} more",
    "adm_age_s": "{n} s ago", "adm_age_m": "{n} min ago", "adm_age_h": "{n} h ago", "adm_age_d": "{n} d ago",
    "adm_age_never": "never",
    # audit and input
    "adm_audit": "<b>📜 Audit log</b> (newest first)",
    "adm_audit_line": "{at} · admin {admin_id} · {action} {target}: {before} → {after}",
    "adm_text_please": "Please answer with a text message.",
}

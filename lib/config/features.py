"""Which parts of the shop are on, in plain lines for the start-up log and the doctor."""


def feature_report(settings) -> list:
    """Plain lines saying which parts run and which variable turns the others on."""
    lines = []
    def part(on, name, how):
        lines.append(f"{name}: on" if on else f"{name}: off (set {how} to turn it on)")
    part(settings.telegram_enabled, "Telegram bot", "BOT_TOKEN")
    part(settings.vpn_enabled, "VPN sales", "WG_ENDPOINT (and WG_INTERFACE/WG_COMMAND for the server)")
    part(settings.vps_enabled, "VPS sales", "PROXMOX_HOST and the other PROXMOX_* variables")
    part(settings.cryptobot_enabled, "Crypto Pay", "CRYPTOBOT_TOKEN")
    part(settings.yookassa_enabled, "YooKassa", "YOOKASSA_SHOP_ID and YOOKASSA_SECRET_KEY")
    part(settings.sandbox_payments, "Sandbox payments (no real money)", "SANDBOX_PAYMENTS=true")
    part(bool(settings.n8n_webhook_url), "Event delivery to n8n", "N8N_WEBHOOK_URL")
    part(bool(settings.admin_ids), "Admin alerts", "ADMIN_IDS")
    return lines

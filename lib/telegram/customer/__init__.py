"""The customer's side of the bot: menu, buying, VPN keys, servers, and what jobs send them."""

"""VPN keys: locations and their backends, addressing, client configs, sync with the servers."""

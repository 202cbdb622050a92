"""WireGuard: keys, address allocation, client configs, the `wg` command, and the backend built on them."""

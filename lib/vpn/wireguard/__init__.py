"""WireGuard: keys, address allocation, client configs and the live server interface."""

"""VPS servers: VMs cloned from a template on the operator's Proxmox VE node."""

"""Customers: registration on first contact, their language, who is an admin."""

"""Pony entities, the database binding and units of work, migrations, and the order state machine.

Uniqueness that protects money and addresses lives in the entities, that is in the database.
"""
from lib.models.accounts import AuditLog, User
from lib.models.base import MONEY, db
from lib.models.money import LedgerEntry, Order, Payment
from lib.models.operations import Broadcast, BroadcastDelivery, DriftFinding, Event, ProcessedUpdate
from lib.models.services import Reminder, VpnPeer, VpsServer

__all__ = ["db", "MONEY", "User", "AuditLog", "Order", "Payment", "LedgerEntry", "VpnPeer", "VpsServer",
           "Reminder", "Event", "ProcessedUpdate", "DriftFinding", "Broadcast", "BroadcastDelivery"]

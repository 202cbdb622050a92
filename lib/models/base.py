"""The Pony database object every entity belongs to."""
from pony.orm import Database

db = Database()
MONEY = dict(precision=12, scale=2)  # RUB with kopecks

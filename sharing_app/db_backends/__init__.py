"""Database backends that ride out a moment's outage: Django's own, with one careful retry (see retry.py)."""

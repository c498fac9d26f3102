"""The shared toy model and library fixtures live in ``tests/conftest.py``."""

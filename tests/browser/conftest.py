"""The browser suite's fixtures live in tests/conftest.py (shared with tests/reliability)."""

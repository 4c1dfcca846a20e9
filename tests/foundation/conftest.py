"""The fixtures these tests use (home_org, role_actors, make_entry) live in tests/conftest.py."""

"""The kernel under every domain: the database and its unit of work, the ledger that orders
every change and seals the audit chain, the caller (principal and roles), the clock, and the
errors services raise. It imports nothing from the domains above it (tests/test_architecture.py)."""

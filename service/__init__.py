"""Debarlist: a shared debarment list and supplier-screening service."""

__version__ = "0.1.0"

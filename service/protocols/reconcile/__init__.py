"""The W3C Entity Reconciliation API, version 0.2 (what OpenRefine speaks), over the screening service."""

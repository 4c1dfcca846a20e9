"""Protocols other tools already speak (yente's match API, OpenRefine reconciliation), each a
second way into the same services: a screening through any of them is ``screening.service.screen``."""

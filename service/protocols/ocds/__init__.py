"""Screening the parties of an OCDS release, release package or record package."""

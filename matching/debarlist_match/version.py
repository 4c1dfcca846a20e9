"""Algorithm identity and calibrated default threshold (bump the version whenever scoring changes)."""

ALGORITHM = "debarlist-match/1.6"
DEFAULT_THRESHOLD = 0.72

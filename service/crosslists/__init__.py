"""Cross-debarments found in the published lists, turned into recognitions (a job above the
recognitions and the list view)."""

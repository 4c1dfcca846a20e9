"""History and replay: the list as it was known at a past instant (record time)."""

"""Cross-recognition: one organisation recognises another's entry (mutual enforcement)."""

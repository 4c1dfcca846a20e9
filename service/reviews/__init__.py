"""Four-eyes publication: new entries and changes wait for a reviewer of the same organisation."""

"""Rate limits: token attempts (with backoff after failures) and screening subjects per client."""

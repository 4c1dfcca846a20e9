"""The service in its ecosystem: FollowTheMoney export and the change feed for mirrors."""

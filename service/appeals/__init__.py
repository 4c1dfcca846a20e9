"""Appeals against listings: lodged, under review, then upheld, overturned or varied."""

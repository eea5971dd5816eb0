"""Geography data: the regional grid built from Natural Earth, and its builder."""

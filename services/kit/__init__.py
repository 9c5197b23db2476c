"""What every use case shares: the service context and clock, actors, access checks, keyset paging, image checks."""

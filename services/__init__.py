"""Use cases: one function per user action, one transaction each, writing the timeline and the outbox."""

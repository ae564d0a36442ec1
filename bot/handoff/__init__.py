"""Human handoff: the queue of conversations waiting for a collector."""

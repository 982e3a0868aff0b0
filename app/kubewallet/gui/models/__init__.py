"""Qt item models over core objects (contexts, clusters, users, ...): no widget per row."""

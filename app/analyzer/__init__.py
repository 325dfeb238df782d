"""The local analyzer: an offline server that speaks the v0 protocol (PROTOCOL.md §8)."""

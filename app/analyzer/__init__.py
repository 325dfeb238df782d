"""The local analyzer: an offline server on 127.0.0.1 that speaks the service's protocols."""

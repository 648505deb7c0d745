"""Tideover ingest layer."""

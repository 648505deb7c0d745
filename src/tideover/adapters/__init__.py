"""Tideover adapters layer."""

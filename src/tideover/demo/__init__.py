"""Tideover demo layer."""

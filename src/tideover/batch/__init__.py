"""Tideover batch layer."""

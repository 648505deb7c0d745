"""Tideover cli layer."""

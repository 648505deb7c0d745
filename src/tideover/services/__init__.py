"""Tideover services layer."""

"""Tideover: collection policy as data, run every day over the whole portfolio."""

__version__ = "0.1.0"

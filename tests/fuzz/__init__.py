"""Fuzz tests: no input yields anything but a result or a coded error (issue #14)."""

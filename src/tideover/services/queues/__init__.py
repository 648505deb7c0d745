"""Collectors and their work queues."""

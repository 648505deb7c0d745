"""Fakes for unit tests of handlers: an in-memory unit of work and its repositories."""

from tests.fakes.uow import InMemoryUnitOfWork, PlatformData, Store

__all__ = ["InMemoryUnitOfWork", "PlatformData", "Store"]

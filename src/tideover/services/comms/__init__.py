"""Use cases of communications: templates, the outbox worker, notices, consents."""

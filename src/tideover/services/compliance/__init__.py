"""Compliance use cases: rules, message and contact checks, holds, the audit trail."""

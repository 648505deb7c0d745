"""The web console and the REST API: the same use cases as the CLI, for every role.

FastAPI serves ``/api/v1`` (JSON, OpenAPI 3) and the console (server-rendered
Jinja2 pages with htmx); both call the handlers in ``tideover.services``.
"""

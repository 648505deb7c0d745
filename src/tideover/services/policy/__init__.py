"""Policy versions on a stored platform: documents, the four-eyes workflow, assignment."""

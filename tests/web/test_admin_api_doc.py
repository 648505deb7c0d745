"""``docs/api.md`` lists every operation of the OpenAPI document, as the application serves it.

``python -m tests.web.test_admin_api_doc`` prints the list as the document holds it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, cast

from tideover.bootstrap import App
from tideover.web.app import create_app

DOC = Path(__file__).parents[2] / "docs" / "api.md"
METHODS = ("get", "post", "put", "patch", "delete")


def openapi() -> dict[str, Any]:
    # The document is built from the routes alone: no database is opened for it.
    app = create_app(cast(App, object()))
    document: dict[str, Any] = app.openapi()
    return document


def endpoints_table() -> str:
    lines = ["| method | path | what | area |", "|---|---|---|---|"]
    for path, operations in openapi()["paths"].items():
        for method in METHODS:
            if method in operations:
                op = operations[method]
                tags = ", ".join(op.get("tags", []))
                lines.append(f"| {method.upper()} | `{path}` | {op.get('summary', '')} | {tags} |")
    return "\n".join(lines)


def test_the_documented_endpoints_are_the_openapi_documents() -> None:
    found = re.search(
        r"<!-- endpoints: begin -->\n(.*?)\n<!-- endpoints: end -->",
        DOC.read_text(encoding="utf-8"),
        re.DOTALL,
    )
    assert found is not None, "docs/api.md lost its endpoints markers"
    assert found.group(1) == endpoints_table(), (
        "docs/api.md's endpoints differ from the OpenAPI document; print the right list "
        "with: python -m tests.web.test_admin_api_doc"
    )


def test_every_list_is_a_page_and_no_schema_is_an_untyped_mapping() -> None:
    document = openapi()
    schemas = document["components"]["schemas"]
    for name, schema in schemas.items():
        if name.startswith("Page_"):
            assert set(schema["properties"]) == {"items", "total", "page", "per_page", "links"}
    for path, operations in document["paths"].items():
        if not path.startswith(
            ("/api/v1/compliance", "/api/v1/audit", "/api/v1/team", "/api/v1/admin")
        ):
            continue
        for method in METHODS:
            if method not in operations:
                continue
            content = operations[method]["responses"]
            for status, answer in content.items():
                body = answer.get("content", {}).get("application/json", {}).get("schema", {})
                assert body.get("type") != "array", (method, path, status)  # a page, not a list
                assert body != {"type": "object"}, (method, path, status)
                assert "additionalProperties" not in body, (method, path, status)


def test_the_document_is_the_same_in_every_process() -> None:
    """Sets (a rule's scope, say) are written sorted, not in their hash order, which
    changes with each interpreter: a client generated from the document, or a diff of
    it, must not see changes that are none."""
    script = (
        "import hashlib, json, sys; from typing import cast; "
        "from tideover.bootstrap import App; from tideover.web.app import create_app; "
        "document = json.dumps(create_app(cast(App, object())).openapi()); "
        "print(hashlib.sha256(document.encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1


if __name__ == "__main__":
    print("<!-- endpoints: begin -->", endpoints_table(), "<!-- endpoints: end -->", sep="\n")

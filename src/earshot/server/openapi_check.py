#!/usr/bin/env python3
"""Checks docs/api/openapi.yaml: it parses as YAML, is OpenAPI 3, has every planned
operation, each with an operationId, responses and x-roles naming known roles, and every
$ref resolves. Exits 77 (CTest: skipped) when python3 has no yaml module.

Usage: openapi_check.py docs/api/openapi.yaml
"""
import sys

try:
    import yaml
except ImportError:
    print("skipped: python3 has no yaml module (Debian: python3-yaml)")
    sys.exit(77)

ROLES = {"dispatcher", "officer", "analyst", "admin", "auditor", "sensor", "any"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
EXPECTED = {
    ("get", "/api/v1/incidents"),
    ("get", "/api/v1/incidents/{id}"),
    ("get", "/api/v1/incidents/{id}/shots"),
    ("get", "/api/v1/incidents/{id}/cap"),
    ("get", "/api/v1/incidents.geojson"),
    ("post", "/api/v1/incidents/{id}/review"),
    ("post", "/api/v1/incidents/{id}/disposition"),
    ("get", "/api/v1/shots/{id}"),
    ("get", "/api/v1/snippets/{id}"),
    ("post", "/api/v1/pulses"),
    ("get", "/api/v1/events"),
    ("get", "/api/v1/sensors"),
    ("get", "/api/v1/metrics"),
    ("get", "/api/openapi.yaml"),
}


def refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def resolve(doc, ref):
    if not ref.startswith("#/"):
        return False
    node = doc
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def main(path):
    with open(path, encoding="utf-8") as f:
        doc = yaml.safe_load(f)
    problems = []
    if not str(doc.get("openapi", "")).startswith("3."):
        problems.append("openapi: expected 3.x")
    found = set()
    operation_ids = set()
    for route, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            found.add((method, route))
            where = f"{method.upper()} {route}"
            roles = op.get("x-roles")
            if not roles or not set(roles) <= ROLES:
                problems.append(f"{where}: x-roles {roles!r} not a list of {sorted(ROLES)}")
            if not op.get("responses"):
                problems.append(f"{where}: no responses")
            op_id = op.get("operationId")
            if not op_id or op_id in operation_ids:
                problems.append(f"{where}: missing or repeated operationId {op_id!r}")
            operation_ids.add(op_id)
    for method, route in sorted(EXPECTED - found):
        problems.append(f"missing operation {method.upper()} {route}")
    for ref in refs(doc):
        if not resolve(doc, ref):
            problems.append(f"unresolved $ref {ref}")
    for problem in problems:
        print(f"{path}: {problem}")
    print(f"{path}: {len(found)} operations, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

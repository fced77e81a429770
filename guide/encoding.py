"""JSON as the API, the manifest and offline packs send it: one encoding, so equal documents are equal bytes."""

import json


def to_json(document: dict) -> bytes:
    """Encode a document as compact UTF-8 JSON, Arabic left readable."""
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

"""The AWS event-stream wire format (application/vnd.amazon.eventstream), encoding side.

Each message: total length and headers length (big-endian uint32), a CRC32 of those 8 bytes, the
headers, the payload, and a CRC32 of everything before it. A header is a 1-byte name length, the
name, a type byte (7: string) and, for a string, a 2-byte length and the UTF-8 value. botocore's
decoder (botocore.eventstream) checks both CRCs, so a client reads these exactly as it reads AWS.
"""

from __future__ import annotations

import json
import struct
import zlib
from typing import Any

_STRING = 7


def _header(name: str, value: str) -> bytes:
    encoded_name, encoded_value = name.encode("utf-8"), value.encode("utf-8")
    return struct.pack("!B", len(encoded_name)) + encoded_name + struct.pack("!BH", _STRING, len(encoded_value)) + encoded_value


def message(headers: dict[str, str], payload: bytes) -> bytes:
    encoded_headers = b"".join(_header(name, value) for name, value in headers.items())
    total = 12 + len(encoded_headers) + len(payload) + 4
    prelude = struct.pack("!II", total, len(encoded_headers))
    prelude += struct.pack("!I", zlib.crc32(prelude) & 0xFFFFFFFF)
    body = prelude + encoded_headers + payload
    return body + struct.pack("!I", zlib.crc32(body) & 0xFFFFFFFF)


def event(event_type: str, payload: dict[str, Any]) -> bytes:
    """An event of a JSON protocol stream (the member's fields as a JSON object)."""
    return message(
        {":event-type": event_type, ":content-type": "application/json", ":message-type": "event"},
        json.dumps(payload).encode("utf-8"),
    )


def exception(exception_type: str, error_message: str) -> bytes:
    """An error raised mid-stream (a modelled exception member of the stream)."""
    return message(
        {":exception-type": exception_type, ":content-type": "application/json", ":message-type": "exception"},
        json.dumps({"message": error_message}).encode("utf-8"),
    )

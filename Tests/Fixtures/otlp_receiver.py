#!/usr/bin/env python3
"""A test OTLP/HTTP receiver (JSON encoding) that checks every body with the official
opentelemetry-proto package (run it with the test venv's python).

Usage:
  otlp_receiver.py --record FILE [--mode ok|fail500|hang] [--port N]
  otlp_receiver.py --check FILE          (checks every line of an OTLP JSON lines file; exit 1 on the first bad one)

Serves on 127.0.0.1, port N or an ephemeral one, printed as the first line on stdout ("PORT 12345").
Paths /v1/traces, /v1/metrics and /v1/logs. Each body is parsed with
google.protobuf.json_format.Parse into ExportTraceServiceRequest, ExportMetricsServiceRequest or
ExportLogsServiceRequest with unknown fields refused (ignore_unknown_fields=False). json_format
reads bytes fields as base64, while OTLP/JSON writes trace and span ids as hex: the ids are checked
(lowercase or uppercase hex of exactly 16 / 8 bytes) and converted to base64 before parsing.

--record FILE appends one JSON line per request: {"path", "ok": true, "body": <the JSON as sent>}
or {"path", "ok": false, "error": "..."} (answered 400). Modes: ok answers 200 with {};
fail500 answers 500 (after checking the body); hang reads the request and never answers.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

REQUESTS = {
    "/v1/traces": ExportTraceServiceRequest,
    "/v1/metrics": ExportMetricsServiceRequest,
    "/v1/logs": ExportLogsServiceRequest,
}
ID_LENGTHS = {"traceId": 16, "spanId": 8, "parentSpanId": 8}


def hex_ids_to_base64(value, where="$"):
    """Converts every traceId/spanId/parentSpanId (hex in OTLP/JSON) to base64, checking its length."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ID_LENGTHS and isinstance(item, str):
                if item == "" and key == "parentSpanId":
                    out[key] = item
                    continue
                try:
                    raw = binascii.unhexlify(item)
                except (binascii.Error, ValueError):
                    raise ValueError(f"{where}.{key} is not hex: {item!r}")
                if len(raw) != ID_LENGTHS[key]:
                    raise ValueError(f"{where}.{key} is {len(raw)} bytes, expected {ID_LENGTHS[key]}: {item!r}")
                if raw == bytes(len(raw)):
                    raise ValueError(f"{where}.{key} is all zeros")
                out[key] = base64.b64encode(raw).decode()
            else:
                out[key] = hex_ids_to_base64(item, f"{where}.{key}")
        return out
    if isinstance(value, list):
        return [hex_ids_to_base64(item, f"{where}[{i}]") for i, item in enumerate(value)]
    return value


def check(path: str, body: bytes):
    """Parses a body as the official proto does; returns the JSON as sent, or raises."""
    if path not in REQUESTS:
        raise ValueError(f"unknown path {path}")
    document = json.loads(body)
    json_format.Parse(json.dumps(hex_ids_to_base64(document)), REQUESTS[path](), ignore_unknown_fields=False)
    return document


def serve(record: str, mode: str, port: int) -> None:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):  # quiet
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if mode == "hang":
                time.sleep(3600)
                return
            entry = {"path": self.path, "contentType": self.headers.get("Content-Type"),
                     "headers": {k.lower(): v for k, v in self.headers.items()}}
            try:
                entry["body"] = check(self.path, body)
                entry["ok"] = True
                status = 500 if mode == "fail500" else 200
            except Exception as e:  # noqa: BLE001 - any failure is the test's finding
                entry["ok"] = False
                entry["error"] = f"{type(e).__name__}: {e}"
                status = 400
            with lock:
                with open(record, "a") as f:
                    f.write(json.dumps(entry) + "\n")
            answer = b"{}" if status == 200 else b'{"error":"refused"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


def check_file(path: str) -> int:
    kinds = {"resourceSpans": "/v1/traces", "resourceMetrics": "/v1/metrics", "resourceLogs": "/v1/logs"}
    count = 0
    with open(path, "rb") as f:
        for number, line in enumerate(f, 1):
            document = json.loads(line)
            kind = [kinds[k] for k in document if k in kinds]
            if len(kind) != 1:
                print(f"{path}:{number}: not one OTLP request: keys {list(document)}", file=sys.stderr)
                return 1
            try:
                check(kind[0], line)
            except Exception as e:  # noqa: BLE001
                print(f"{path}:{number}: {type(e).__name__}: {e}", file=sys.stderr)
                return 1
            count += 1
    print(f"OK {count}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--record")
    parser.add_argument("--mode", choices=["ok", "fail500", "hang"], default="ok")
    parser.add_argument("--check")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    if args.check:
        return check_file(args.check)
    if not args.record:
        parser.error("--record FILE or --check FILE")
    serve(args.record, args.mode, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Tollgate test fixture: a tiny MCP server on the official Python SDK 2.x (``mcp.server``),
which reads stdin exactly as the SDK's stdio transport does (text mode, universal newlines) and
appends one JSON line per tools/call it executes to the file named by ``RECORD_CALLS``:
``{"tool": NAME, "arguments": {...}}``.

Tools: ``echo {text}`` (returns the text) and ``forbidden {text}`` (returns "done TEXT"); the
framing tests' manifests deny ``forbidden``, so a line in the record for it is a call no
decision saw.
"""

import json
import os

from mcp.server.mcpserver import MCPServer

RECORD = os.environ["RECORD_CALLS"]
server = MCPServer("recording")


def record(tool: str, arguments: dict) -> None:
    with open(RECORD, "a", encoding="utf-8") as file:
        file.write(json.dumps({"tool": tool, "arguments": arguments}) + "\n")


@server.tool(name="echo")
def echo(text: str) -> str:
    record("echo", {"text": text})
    return text


@server.tool(name="forbidden")
def forbidden(text: str) -> str:
    record("forbidden", {"text": text})
    return "done " + text


if __name__ == "__main__":
    server.run()

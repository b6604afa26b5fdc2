#!/usr/bin/env python3
"""A small agent on the official MCP Python SDK (2.x) that runs unchanged through Tollgate.

It connects to one MCP server over stdio, lists the tools, and runs a scripted plan of tool
calls, printing a transcript. Nothing in it knows about Tollgate: point it at the server
directly or at `tollgate run -- <server>` and the code is the same; only the command changes.

    python agent.py -- python -m mcp_server_time                       # direct
    python agent.py -- tollgate run -- python -m mcp_server_time       # through Tollgate
    python agent.py --plan plan.json -- tollgate run --manifest m.json -- ...

A plan is a JSON list of {"tool": NAME, "arguments": {...}}. A refused call comes back as a tool
error (isError) the agent reads and reports, and the session goes on, as a model would.
"""

from __future__ import annotations

import argparse
import json
import sys

import anyio
from mcp import Client, MCPError, StdioServerParameters

DEFAULT_PLAN = [
    {"tool": "get_current_time", "arguments": {"timezone": "Europe/Paris"}},
    {"tool": "convert_time", "arguments": {"source_timezone": "America/New_York", "time": "09:30",
                                           "target_timezone": "Asia/Tokyo"}},
]


async def run(command: list[str], plan: list[dict], mode: str) -> int:
    import os
    params = StdioServerParameters(command=command[0], args=command[1:], env=dict(os.environ))
    async with Client(params, mode=mode) as client:
        tools = await client.list_tools()
        names = [tool.name for tool in tools.tools]
        print(f"agent: connected; tools offered: {', '.join(names) or '(none)'}")
        for step in plan:
            name, arguments = step["tool"], step.get("arguments", {})
            print(f"agent: -> {name} {json.dumps(arguments)}")
            try:
                result = await client.call_tool(name, arguments)
            except MCPError as error:
                print(f"agent: <- JSON-RPC error {error.error.code}: {error.error.message}")
                continue
            text = " ".join(item.text for item in result.content if getattr(item, "type", "") == "text")
            label = "tool error" if result.is_error else "result"
            print(f"agent: <- {label}: {text}")
            denial = (result.meta or {}).get("dev.tollgate/denial") if hasattr(result, "meta") else None
            if denial:
                print(f"agent:    (Tollgate denial: code={denial.get('code')}, rule={denial.get('rule')})")
    print("agent: session finished")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plan", help="JSON file with a list of {tool, arguments}")
    parser.add_argument("--mode", default="auto", help="SDK connection mode: auto (default) or legacy")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARG...]")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("missing server command after --")
    plan = DEFAULT_PLAN
    if args.plan:
        with open(args.plan, encoding="utf-8") as handle:
            plan = json.load(handle)
    return anyio.run(run, command, plan, args.mode)


if __name__ == "__main__":
    sys.exit(main())

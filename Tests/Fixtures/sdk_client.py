#!/usr/bin/env python3
"""Scripted MCP client on the official Python SDK 2.x (run it with the test venv's python).

Usage:
  sdk_client.py [--mode legacy|auto|2026-07-28] [--script JSON] [--elicitation accept|decline|none]
                [--elicitation-content JSON] [--sampling-reply TEXT] [--timeout SECS]
                [--deadline SECS] [--env K=V]... [--cwd DIR] -- COMMAND [ARGS...]

Launches COMMAND over stdio (the SDK's stdio transport), runs the steps of
--script (a JSON list), and prints ONE JSON object on stdout:

  {"mode": "legacy", "protocolVersion": "2025-11-25", "serverInfo": {...} | null,
   "steps": [...], "elicitations": [...], "samplings": [...]}

Steps:
  {"op": "list_tools"}                         -> {"op", "tools": [names...], "pages": N}
      (follows nextCursor through every page; {"cursor": "..."} fetches one page only)
  {"op": "call_tool", "name": N, "arguments": {...}, "meta": {...}?, "timeout": S?, "progress": bool?}
                                               -> {"op", "name", "isError", "text", "meta",
                                                   "structuredContent"?, "progress"?: [...]}
  {"op": "ping"}                               -> {"op", "ok": true}
  {"op": "wait", "ms": N}                      -> {"op", "ms"}
  {"op": "parallel", "steps": [...]}           -> {"op", "results": [...]}  (run concurrently)
A step that gets a JSON-RPC error records {"op", ..., "error": {"code", "message"}} instead.

A step the SDK itself rejects (e.g. structuredContent failing the tool's
outputSchema) records {"error": {"code": null, "message", "clientSide": true}}.

Exit status: 0 when the session completed (tool errors and JSON-RPC errors are
not failures); 1 when the session itself broke (connect/handshake failure,
server connection closed -- the step that saw it is recorded with
"disconnected": true and no further steps run --, deadline): a message goes to
stderr, and the JSON printed on stdout carries "fatal" with the steps done so
far. 2 for bad usage.

The server inherits this process's whole environment (the SDK by default passes
only HOME/LOGNAME/PATH/SHELL/TERM/USER), plus any --env K=V.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
import warnings
from typing import Any

warnings.filterwarnings("ignore", category=DeprecationWarning)

try:
    import anyio
    import mcp.types as types
    from mcp import Client, MCPError, StdioServerParameters
    from mcp.client.session import ClientRequestContext
    from pydantic import ValidationError

    CONNECTION_CLOSED = -32000  # mcp_types.CONNECTION_CLOSED: SDK-only, "Connection closed"
except ImportError as e:  # pragma: no cover - environment problem
    sys.stderr.write(
        f"sdk_client.py: cannot import the MCP Python SDK 2.x ({e}); run it with the test venv "
        "python (scripts/python-env prints the venv path)\n"
    )
    sys.exit(2)

try:
    from mcp import MCPDeprecationWarning

    warnings.filterwarnings("ignore", category=MCPDeprecationWarning)
except ImportError:  # pragma: no cover
    pass


def _dump(model: Any) -> Any:
    if model is None:
        return None
    if hasattr(model, "model_dump"):
        return model.model_dump(by_alias=True, mode="json", exclude_none=True)
    return model


def _content_text(content: Any) -> str:
    blocks = content if isinstance(content, list) else [content]
    return "".join(b.text for b in blocks if getattr(b, "type", None) == "text")


def _error_obj(e: MCPError) -> dict[str, Any]:
    err: dict[str, Any] = {"code": e.error.code, "message": e.error.message}
    if e.error.data is not None:
        err["data"] = e.error.data
    return err


def _default_for(schema: dict[str, Any]) -> Any:
    if "default" in schema:
        return schema["default"]
    if "enum" in schema and schema["enum"]:
        return schema["enum"][0]
    t = schema.get("type")
    if t == "number":
        return 1.5
    if t == "integer":
        return 1
    if t == "boolean":
        return True
    if t == "array":
        return ["a"]
    return "tollgate-test"


class Runner:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.out: dict[str, Any] = {"mode": args.mode, "steps": [], "elicitations": [], "samplings": []}
        self.disconnected = False

    # --- server -> client callbacks (only passed to Client when enabled, so the
    # capability is declared only then) ---

    async def sampling_callback(
        self, context: ClientRequestContext, params: types.CreateMessageRequestParams
    ) -> types.CreateMessageResult:
        self.out["samplings"].append(_dump(params))
        return types.CreateMessageResult(
            role="assistant",
            content=types.TextContent(type="text", text=self.args.sampling_reply),
            model="tollgate-test-model",
            stop_reason="endTurn",
        )

    async def elicitation_callback(self, context: ClientRequestContext, params: Any) -> types.ElicitResult:
        self.out["elicitations"].append(_dump(params))
        if self.args.elicitation == "decline":
            return types.ElicitResult(action="decline")
        if self.args.elicitation_content is not None:
            content = json.loads(self.args.elicitation_content)
        else:
            schema = getattr(params, "requested_schema", None) or {}
            props = schema.get("properties", {}) if isinstance(schema, dict) else {}
            content = {k: _default_for(v if isinstance(v, dict) else {}) for k, v in props.items()}
        if getattr(params, "mode", "form") == "url":
            return types.ElicitResult(action="accept")
        return types.ElicitResult(action="accept", content=content)

    # --- steps ---

    async def run_step(self, client: Client, step: dict[str, Any]) -> dict[str, Any]:
        op = step.get("op")
        rec: dict[str, Any] = {"op": op}
        try:
            if op == "list_tools":
                if "cursor" in step:
                    res = await client.list_tools(cursor=step["cursor"], cache_mode="bypass")
                    rec["tools"] = [t.name for t in res.tools]
                    rec["nextCursor"] = res.next_cursor
                    rec["pages"] = 1
                else:
                    names: list[str] = []
                    cursor = None
                    pages = 0
                    while True:
                        res = await client.list_tools(cursor=cursor, cache_mode="bypass")
                        pages += 1
                        names.extend(t.name for t in res.tools)
                        cursor = res.next_cursor
                        if cursor is None or pages >= 1000:
                            break
                    rec["tools"] = names
                    rec["pages"] = pages
            elif op == "call_tool":
                rec["name"] = step["name"]
                progress: list[dict[str, Any]] = []

                async def on_progress(p: float, total: float | None, message: str | None) -> None:
                    progress.append({"progress": p, "total": total, "message": message})

                res = await client.call_tool(
                    step["name"],
                    step.get("arguments") or {},
                    read_timeout_seconds=step.get("timeout"),
                    progress_callback=on_progress if step.get("progress") else None,
                    meta=step.get("meta"),
                )
                rec["isError"] = bool(res.is_error)
                rec["text"] = _content_text(res.content)
                rec["meta"] = res.meta
                if res.structured_content is not None:
                    rec["structuredContent"] = res.structured_content
                if step.get("progress"):
                    rec["progress"] = progress
            elif op == "list_resources":
                res = await client.list_resources()
                rec["uris"] = [str(r.uri) for r in res.resources]
            elif op == "list_resource_templates":
                res = await client.list_resource_templates()
                rec["templates"] = [t.uri_template for t in res.resource_templates]
            elif op == "read_resource":
                res = await client.read_resource(step["uri"])
                rec["text"] = "".join(getattr(c, "text", "") for c in res.contents)
            elif op == "list_prompts":
                res = await client.list_prompts()
                rec["prompts"] = [p.name for p in res.prompts]
            elif op == "get_prompt":
                res = await client.get_prompt(step["name"], step.get("arguments") or {})
                rec["text"] = "".join(_content_text(m.content) for m in res.messages)
            elif op == "ping":
                await client.send_ping()
                rec["ok"] = True
            elif op == "wait":
                await anyio.sleep(float(step.get("ms", 0)) / 1000.0)
                rec["ms"] = step.get("ms", 0)
            elif op == "parallel":
                subs = step.get("steps") or []
                results: list[Any] = [None] * len(subs)

                async def one(i: int, sub: dict[str, Any]) -> None:
                    results[i] = await self.run_step(client, sub)

                async with anyio.create_task_group() as tg:
                    for i, sub in enumerate(subs):
                        tg.start_soon(one, i, sub)
                rec["results"] = results
            else:
                raise ValueError(f"unknown op {op!r}")
        except MCPError as e:
            rec["error"] = _error_obj(e)
            if e.error.code == CONNECTION_CLOSED and e.error.message == "Connection closed":
                # SDK-synthesized (never on the wire): the server side of the pipe is gone.
                rec["disconnected"] = True
                self.disconnected = True
        except (RuntimeError, ValidationError) as e:
            # Raised client-side by the SDK, e.g. structured content failing the tool's
            # outputSchema, or a result that does not match the negotiated protocol version.
            rec["error"] = {"code": None, "message": f"{type(e).__name__}: {e}", "clientSide": True}
        return rec

    async def run(self, command: list[str], steps: list[dict[str, Any]]) -> None:
        env = dict(os.environ)
        for kv in self.args.env:
            k, _, v = kv.partition("=")
            env[k] = v
        params = StdioServerParameters(command=command[0], args=command[1:], env=env, cwd=self.args.cwd)
        kwargs: dict[str, Any] = {"mode": self.args.mode, "read_timeout_seconds": self.args.timeout}
        if self.args.sampling_reply is not None:
            kwargs["sampling_callback"] = self.sampling_callback
        if self.args.elicitation in ("accept", "decline"):
            kwargs["elicitation_callback"] = self.elicitation_callback
        with anyio.fail_after(self.args.deadline):
            async with Client(params, **kwargs) as client:
                self.out["protocolVersion"] = client.protocol_version
                self.out["serverInfo"] = _dump(client.server_info)
                for step in steps:
                    self.out["steps"].append(await self.run_step(client, step))
                    if self.disconnected:
                        raise ConnectionError("server connection closed (SDK error -32000 'Connection closed')")


def _describe(exc: BaseException) -> str:
    """Flatten exception groups into one readable line."""
    subs = getattr(exc, "exceptions", None)  # (Base)ExceptionGroup, also the 3.10 backport
    if isinstance(subs, (list, tuple)) and subs:
        return "; ".join(_describe(e) for e in subs)
    if isinstance(exc, TimeoutError) and not str(exc):
        return "TimeoutError (deadline exceeded)"
    if isinstance(exc, MCPError):
        return f"MCPError {exc.error.code}: {exc.error.message}"
    return f"{type(exc).__name__}: {exc}"


def main(argv: list[str]) -> int:
    if "--" in argv:
        i = argv.index("--")
        opts, command = argv[:i], argv[i + 1 :]
    else:
        opts, command = argv, []
    p = argparse.ArgumentParser(prog="sdk_client.py", description=__doc__.split("\n")[0])
    p.add_argument("--mode", default="legacy", help="legacy | auto | a modern version such as 2026-07-28")
    p.add_argument("--script", default='[{"op":"list_tools"}]', help="JSON list of steps")
    p.add_argument("--elicitation", choices=["accept", "decline", "none"], default="none")
    p.add_argument("--elicitation-content", default=None, help="JSON object to accept elicitations with")
    p.add_argument("--sampling-reply", default=None, help="declare sampling; answer with this text")
    p.add_argument("--timeout", type=float, default=30.0, help="per-request read timeout (s)")
    p.add_argument("--deadline", type=float, default=120.0, help="whole-session deadline (s)")
    p.add_argument("--env", action="append", default=[], help="extra K=V for the server environment")
    p.add_argument("--cwd", default=None)
    p.add_argument("--debug", action="store_true", help="print tracebacks on failure")
    args = p.parse_args(opts)
    if not command:
        p.error("missing '-- COMMAND [ARGS...]'")
    try:
        steps = json.loads(args.script)
        if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
            raise ValueError("--script must be a JSON list of objects")
    except ValueError as e:
        p.error(f"bad --script: {e}")

    runner = Runner(args)
    code = 0
    try:
        anyio.run(runner.run, command, steps)
    except BaseException as e:  # noqa: BLE001 - report any way the session broke
        if isinstance(e, KeyboardInterrupt):
            raise
        msg = _describe(e)
        runner.out["fatal"] = msg
        sys.stderr.write(f"sdk_client.py: session failed: {msg}\n")
        if args.debug:
            traceback.print_exception(e)
        code = 1
    sys.stdout.write(json.dumps(runner.out) + "\n")
    sys.stdout.flush()
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

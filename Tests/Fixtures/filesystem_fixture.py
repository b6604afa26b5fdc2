#!/usr/bin/env python3
"""Tollgate test fixture: a stand-in for the npm server @modelcontextprotocol/server-filesystem.

stdlib only, raw stdio (no SDK), modelled on fixture_server.py (whose raw JSON scanner it
reuses, so request ids are echoed back byte-for-byte).

    python3 filesystem_fixture.py ROOT [MORE_ALLOWED_DIRS...]

Serves EXACTLY the tool list of the real server, read from filesystem_tools.json next to this
file. That list was transcribed from the upstream source file
  src/filesystem/index.ts of https://github.com/modelcontextprotocol/servers
  at commit 76d64c822f5125032f89eb71dbdb94e42b434821
  (last commit touching src/filesystem: fd8248e56b822cc16a74b6610a88141fdfa09bd6; package 0.6.3)
with its zod schemas converted the way @modelcontextprotocol/sdk 1.30.0 + zod 4.4.3 emit them.

The tools really act on the filesystem, confined like the real server to the allowed
directories (ROOT and any further arguments): a path is expanded (`~`), made absolute (a
relative path is resolved against ROOT, as upstream does against its first allowed directory),
normalized, and must be equal to or under an allowed directory, also after symlinks are
resolved; a new file's parent must resolve inside one. Otherwise the tool answers with an
isError result "Access denied - ...". So a test can tell whether a write happened by looking at
the disk, and whether Tollgate or the server refused it by the answer.

Simplifications (the tool list and the argument shapes are exact, the behaviour is minimal):
* no MCP roots (the allowed directories never change), no output-schema validation;
* arguments are checked only for the members a tool needs (wrong type or missing -> isError
  "MCP error -32602: Input validation error: ...", like the SDK);
* edit_file replaces exact text only (upstream also tries whitespace-insensitive line matches)
  and returns a simple unified diff (difflib) instead of the `diff` package's;
* search_files and the excludePatterns use a small glob matcher (**, *, ?) instead of minimatch;
* read_media_file knows the same extensions as upstream; list_directory_with_sizes and
  get_file_info format like upstream but not byte-for-byte (dates are ISO strings).

Protocol: the 2025 handshake (`initialize`, echoing a supported protocolVersion) and 2026-07-28
(`server/discover`; requests carrying that version in `_meta` get `"resultType": "complete"`),
`ping`, `tools/list` (one page), `tools/call`. Unknown method -> -32601. An unknown tool is an
isError result "MCP error -32602: Tool X not found" (what SDK 1.30's McpServer answers).

Environment: FIXTURE_QUIET=1 (no per-message log on stderr), FIXTURE_LOG=path (append every raw
received line, like fixture_server.py).
"""

from __future__ import annotations

import base64
import datetime
import difflib
import json
import os
import re
import stat
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
# The raw-id scanner, the protocol constants and the line writers are shared with fixture_server.py
# (ids are cut from the received line and never re-serialized).
from fixture_server import (  # noqa: E402
    DISCOVER_SUPPORTED_VERSIONS, INVALID_PARAMS, INVALID_REQUEST, LATEST_HANDSHAKE_VERSION,
    METHOD_NOT_FOUND, MODERN_VERSION, PARSE_ERROR, PROTOCOL_VERSION_META_KEY, QUIET,
    SERVER_INFO_META_KEY, SUPPORTED_HANDSHAKE_VERSIONS, UNSUPPORTED_PROTOCOL_VERSION,
    _dumps, raw_path, send_error, send_result, write_line,
)

with open(os.path.join(HERE, "filesystem_tools.json"), encoding="utf-8") as _f:
    _DOC = json.load(_f)
TOOLS: list[dict] = _DOC["tools"]
TOOL_NAMES = {t["name"] for t in TOOLS}
SERVER_INFO = _DOC["serverInfo"]
CAPABILITIES = {"tools": {"listChanged": True}}

ALLOWED: list[str] = []  # normalized absolute allowed directories (as given and realpath'd)

MIME_TYPES = {
    ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".bmp": "image/bmp", ".svg": "image/svg+xml", ".mp3": "audio/mpeg",
    ".wav": "audio/wav", ".ogg": "audio/ogg", ".flac": "audio/flac",
}


def log(msg: str) -> None:
    if not QUIET:
        sys.stderr.write(f"filesystem_fixture[{os.getpid()}]: {msg}\n")
        sys.stderr.flush()


# --------------------------------------------------------------------------
# Path confinement (after lib.ts validatePath)
# --------------------------------------------------------------------------


class ToolError(Exception):
    pass


def _within(path: str) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in ALLOWED)


def validate_path(requested: str) -> str:
    expanded = os.path.expanduser(requested) if requested == "~" or requested.startswith("~/") else requested
    absolute = os.path.normpath(expanded if os.path.isabs(expanded) else os.path.join(ALLOWED[0], expanded))
    if not _within(absolute):
        raise ToolError(f"Access denied - path outside allowed directories: {absolute} not in {', '.join(ALLOWED)}")
    if os.path.lexists(absolute):
        real = os.path.realpath(absolute)
        if not _within(real):
            raise ToolError(f"Access denied - symlink target outside allowed directories: {real} not in {', '.join(ALLOWED)}")
        return real
    parent = os.path.dirname(absolute)
    if not os.path.isdir(parent):
        raise ToolError(f"Parent directory does not exist: {parent}")
    real_parent = os.path.realpath(parent)
    if not _within(real_parent):
        raise ToolError(f"Access denied - parent directory outside allowed directories: {real_parent} not in {', '.join(ALLOWED)}")
    return absolute


# --------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------


_TYPE_NAMES = {str: "string", float: "number", bool: "boolean", list: "array"}


def _arg(args: dict, name: str, kind, tool: str, required: bool = True, default=None):
    """args[name] checked against the tool's inputSchema type; kind is str, float (any JSON
    number), bool or list. A problem reads like the SDK's input validation error."""
    expected = _TYPE_NAMES[kind]
    prefix = f"MCP error -32602: Input validation error: Invalid arguments for tool {tool}: {name}: "
    if name not in args:
        if required:
            raise ToolError(prefix + f"Invalid input: expected {expected}, received undefined")
        return default
    value = args[name]
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        received = "null" if value is None else {str: "string", bool: "boolean", int: "number", float: "number",
                                                 list: "array", dict: "object"}.get(type(value), "unknown")
        raise ToolError(prefix + f"Invalid input: expected {expected}, received {received}")
    return value


def glob_match(path: str, pattern: str) -> bool:
    """A small minimatch stand-in (dot files included): `**/` any directories (or none), `**`
    anything, `*` any run without `/`, `?` one character other than `/`."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.fullmatch("".join(out), path, re.DOTALL) is not None


def _text(text: str) -> dict:
    return {"content": [{"type": "text", "text": text}], "structuredContent": {"content": text}}


def _read_text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        return f.read()


def _format_size(n: int) -> str:
    units = ["B", "KB", "MB", "GB", "TB"]
    if n == 0:
        return "0 B"
    i = 0
    value = float(n)
    while value >= 1024 and i < len(units) - 1:
        value /= 1024
        i += 1
    return f"{n} B" if i == 0 else f"{value:.2f} {units[i]}"


def _iso(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).isoformat().replace("+00:00", "Z")


def tool_read_text(args: dict, tool: str) -> dict:
    path = validate_path(_arg(args, "path", str, tool))
    head = _arg(args, "head", float, tool, required=False)
    tail = _arg(args, "tail", float, tool, required=False)
    if head and tail:
        raise ToolError("Cannot specify both head and tail parameters simultaneously")
    content = _read_text(path)
    if tail:
        content = "\n".join(content.split("\n")[-int(tail):])
    elif head:
        content = "\n".join(content.split("\n")[: int(head)])
    return _text(content)


def call_tool(name: str, args: dict) -> dict:
    if name in ("read_file", "read_text_file"):
        return tool_read_text(args, name)
    if name == "read_media_file":
        path = validate_path(_arg(args, "path", str, name))
        mime = MIME_TYPES.get(os.path.splitext(path)[1].lower(), "application/octet-stream")
        with open(path, "rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
        if mime.startswith(("image/", "audio/")):
            item = {"type": mime.split("/")[0], "data": data, "mimeType": mime}
        else:
            item = {"type": "resource", "resource": {"uri": "file://" + path, "mimeType": mime, "blob": data}}
        return {"content": [item], "structuredContent": {"content": [item]}}
    if name == "read_multiple_files":
        paths = _arg(args, "paths", list, name)
        if not paths:
            raise ToolError(f"MCP error -32602: Input validation error: Invalid arguments for tool {name}: paths: Too small: expected array to have >=1 items")
        parts = []
        for p in paths:
            try:
                parts.append(f"{p}:\n{_read_text(validate_path(str(p)))}\n")
            except (ToolError, OSError) as e:
                parts.append(f"{p}: Error - {e}")
        return _text("\n---\n".join(parts))
    if name == "write_file":
        path = validate_path(_arg(args, "path", str, name))
        content = _arg(args, "content", str, name)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(content)
        return _text(f"Successfully wrote to {args['path']}")
    if name == "edit_file":
        path = validate_path(_arg(args, "path", str, name))
        edits = _arg(args, "edits", list, name)
        dry_run = _arg(args, "dryRun", bool, name, required=False, default=False)
        original = _read_text(path).replace("\r\n", "\n")
        modified = original
        for edit in edits:
            if not isinstance(edit, dict) or not isinstance(edit.get("oldText"), str) or not isinstance(edit.get("newText"), str):
                raise ToolError(f"MCP error -32602: Input validation error: Invalid arguments for tool {name}: edits: each edit needs string oldText and newText")
            old = edit["oldText"].replace("\r\n", "\n")
            if old not in modified:
                raise ToolError(f"Could not find exact match for edit:\n{edit['oldText']}")
            modified = modified.replace(old, edit["newText"].replace("\r\n", "\n"), 1)
        diff = "".join(difflib.unified_diff(original.splitlines(True), modified.splitlines(True), path, path, "original", "modified"))
        if not dry_run:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(modified)
        return _text(f"```diff\n{diff}```\n\n")
    if name == "create_directory":
        # Like upstream: the path (or, for a new directory, its parent) must resolve inside an
        # allowed directory, so only one missing level can be created per call.
        path = validate_path(_arg(args, "path", str, name))
        os.makedirs(path, exist_ok=True)
        return _text(f"Successfully created directory {args['path']}")
    if name in ("list_directory", "list_directory_with_sizes"):
        path = validate_path(_arg(args, "path", str, name))
        entries = sorted(os.scandir(path), key=lambda e: e.name)
        if name == "list_directory":
            return _text("\n".join(f"{'[DIR]' if e.is_dir(follow_symlinks=False) else '[FILE]'} {e.name}" for e in entries))
        sort_by = _arg(args, "sortBy", str, name, required=False, default="name")
        rows = []
        for e in entries:
            try:
                size = e.stat().st_size
            except OSError:
                size = 0
            rows.append((e.name, e.is_dir(follow_symlinks=False), size))
        if sort_by == "size":
            rows.sort(key=lambda r: -r[2])
        lines = [f"{'[DIR]' if d else '[FILE]'} {n.ljust(30)} {'' if d else _format_size(s).rjust(10)}" for n, d, s in rows]
        files = [r for r in rows if not r[1]]
        lines += ["", f"Total: {len(files)} files, {len(rows) - len(files)} directories",
                  f"Combined size: {_format_size(sum(r[2] for r in files))}"]
        return _text("\n".join(lines))
    if name == "directory_tree":
        root = validate_path(_arg(args, "path", str, name))
        excludes = _arg(args, "excludePatterns", list, name, required=False, default=[])

        def build(current: str) -> list:
            out = []
            for e in sorted(os.scandir(current), key=lambda e: e.name):
                rel = os.path.relpath(os.path.join(current, e.name), root)
                if any(glob_match(rel, p) or glob_match(rel, "**/" + p) or glob_match(rel, "**/" + p + "/**") for p in excludes):
                    continue
                entry: dict = {"name": e.name, "type": "directory" if e.is_dir(follow_symlinks=False) else "file"}
                if entry["type"] == "directory":
                    entry["children"] = build(os.path.join(current, e.name))
                out.append(entry)
            return out

        return _text(json.dumps(build(root), indent=2))
    if name == "move_file":
        source = validate_path(_arg(args, "source", str, name))
        destination = validate_path(_arg(args, "destination", str, name))
        if os.path.lexists(destination):
            raise ToolError(f"EEXIST: file already exists, rename '{source}' -> '{destination}'")
        os.rename(source, destination)
        return _text(f"Successfully moved {args['source']} to {args['destination']}")
    if name == "search_files":
        root = validate_path(_arg(args, "path", str, name))
        pattern = _arg(args, "pattern", str, name)
        excludes = _arg(args, "excludePatterns", list, name, required=False, default=[])
        results = []
        for current, dirs, files in os.walk(root):
            dirs.sort()
            for entry in sorted(dirs + files):
                full = os.path.join(current, entry)
                try:
                    validate_path(full)  # like upstream: entries resolving outside are skipped
                except ToolError:
                    if entry in dirs:
                        dirs.remove(entry)
                    continue
                rel = os.path.relpath(full, root)
                if any(glob_match(rel, p) for p in excludes):
                    continue
                if glob_match(rel, pattern):
                    results.append(full)
        return _text("\n".join(results) if results else "No matches found")
    if name == "get_file_info":
        path = validate_path(_arg(args, "path", str, name))
        st = os.stat(path)
        info = {
            "size": st.st_size,
            "created": _iso(getattr(st, "st_birthtime", st.st_ctime)),
            "modified": _iso(st.st_mtime),
            "accessed": _iso(st.st_atime),
            "isDirectory": "true" if stat.S_ISDIR(st.st_mode) else "false",
            "isFile": "true" if stat.S_ISREG(st.st_mode) else "false",
            "permissions": oct(st.st_mode)[-3:],
        }
        return _text("\n".join(f"{k}: {v}" for k, v in info.items()))
    if name == "list_allowed_directories":
        return _text("Allowed directories:\n" + "\n".join(ALLOWED))
    raise AssertionError(name)


# --------------------------------------------------------------------------
# Dispatch
# --------------------------------------------------------------------------


def finish(raw_id: str, modern: bool, result: dict) -> None:
    if modern:
        result.setdefault("resultType", "complete")
    send_result(raw_id, result)


def handle_request(method: str, params: dict, meta: dict, raw_id: str) -> None:
    modern = meta.get(PROTOCOL_VERSION_META_KEY) == MODERN_VERSION
    if method == "initialize":
        requested = params.get("protocolVersion")
        version = requested if requested in SUPPORTED_HANDSHAKE_VERSIONS else LATEST_HANDSHAKE_VERSION
        send_result(raw_id, {"protocolVersion": version, "capabilities": CAPABILITIES, "serverInfo": SERVER_INFO})
        return
    if method == "server/discover":
        requested = meta.get(PROTOCOL_VERSION_META_KEY)
        if requested is not None and requested not in DISCOVER_SUPPORTED_VERSIONS:
            send_error(raw_id, UNSUPPORTED_PROTOCOL_VERSION, "Unsupported protocol version",
                       {"supported": DISCOVER_SUPPORTED_VERSIONS, "requested": requested})
            return
        send_result(raw_id, {
            "supportedVersions": DISCOVER_SUPPORTED_VERSIONS, "capabilities": CAPABILITIES,
            "serverInfo": SERVER_INFO, "resultType": "complete", "ttlMs": 0, "cacheScope": "private",
            "_meta": {SERVER_INFO_META_KEY: SERVER_INFO},
        })
        return
    if method == "ping":
        finish(raw_id, modern, {})
        return
    if method == "tools/list":
        result: dict = {"tools": TOOLS}
        if modern:
            result["ttlMs"] = 0
            result["cacheScope"] = "private"
        finish(raw_id, modern, result)
        return
    if method == "tools/call":
        name = params.get("name")
        args = params.get("arguments")
        if args is None:
            args = {}
        if not isinstance(name, str) or name not in TOOL_NAMES:
            finish(raw_id, modern, {"content": [{"type": "text", "text": f"MCP error -32602: Tool {name} not found"}], "isError": True})
            return
        if not isinstance(args, dict):
            send_error(raw_id, INVALID_PARAMS, "arguments must be an object")
            return
        try:
            result = call_tool(name, args)
            log(f"tool {name} ok")
        except ToolError as e:
            result = {"content": [{"type": "text", "text": str(e)}], "isError": True}
        except OSError as e:
            result = {"content": [{"type": "text", "text": f"{type(e).__name__}: {e}"}], "isError": True}
        finish(raw_id, modern, result)
        return
    send_error(raw_id, METHOD_NOT_FOUND, f"Method not found: {method}")


def handle_line(line: str) -> None:
    stripped = line.strip()
    if not stripped:
        return
    try:
        msg = json.loads(stripped)
    except ValueError as e:
        send_error("null", PARSE_ERROR, f"Parse error: {e}")
        return
    if not isinstance(msg, dict):
        send_error("null", INVALID_REQUEST, "Invalid Request: expected a JSON object")
        return
    method = msg.get("method")
    if method is None:
        return  # a response to a request we never send, or junk: ignore
    params = msg.get("params") if isinstance(msg.get("params"), dict) else {}
    meta = params.get("_meta") if isinstance(params.get("_meta"), dict) else {}
    if "id" not in msg:
        log(f"<- {method} (notification)")
        return
    raw_id = raw_path(stripped, ["id"]) or _dumps(msg["id"])
    log(f"<- {method} id={raw_id}")
    if not isinstance(method, str):
        send_error(raw_id, INVALID_REQUEST, "Invalid Request: method must be a string")
        return
    handle_request(method, params, meta, raw_id)


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        sys.stderr.write("usage: filesystem_fixture.py ROOT [MORE_ALLOWED_DIRS...]\n")
        return 2
    for d in argv[1:]:
        absolute = os.path.normpath(os.path.abspath(os.path.expanduser(d)))
        if not os.path.isdir(absolute):
            sys.stderr.write(f"filesystem_fixture: {d} is not a directory\n")
            return 2
        for candidate in (absolute, os.path.realpath(absolute)):
            if candidate not in ALLOWED:
                ALLOWED.append(candidate)
    log_path = os.environ.get("FIXTURE_LOG")
    log_file = open(log_path, "ab", buffering=0) if log_path else None
    log(f"started; allowed directories: {', '.join(ALLOWED)}")
    stdin = sys.stdin.buffer
    while True:
        raw = stdin.readline()
        if not raw:
            break
        body = raw[:-1] if raw.endswith(b"\n") else raw
        if log_file is not None:
            log_file.write(body + b"\n")
        handle_line(body.decode("utf-8", "surrogateescape"))
    log("stdin EOF")
    return 0


if __name__ == "__main__":
    try:
        code = main(sys.argv)
    except KeyboardInterrupt:
        code = 130
    sys.stderr.flush()
    os._exit(code)

#!/usr/bin/env python3
"""Tollgate test fixture: an MCP server (stdlib only) whose one tool tries what a sandbox must
refuse, and says what the kernel answered.

Reads newline-delimited JSON-RPC on stdin (``initialize``, ``notifications/initialized``,
``tools/list``, ``tools/call``, ``ping``), answers one JSON line each on stdout. Stdin EOF: exit 0.

Tool ``probe``, arguments ``{"kind": K, "target": T, "port": P, "child": bool}``; its result is one
text item holding a JSON object: ``{"ok": true, "detail": ...}`` when the attempt worked,
``{"ok": false, "errno": "EACCES", "error": "..."}`` when the system refused it. Kinds:

  read PATH      read the file          write PATH     create or overwrite the file
  list PATH      list the directory     execute PATH   run the program (no arguments)
  connect HOST P TCP connect            udp HOST P     send one datagram
  unix PATH      connect to a pathname Unix socket
  signal         send signal 0 to the parent process (Tollgate)
  chown PATH     give the file to uid/gid 1 (needs CAP_CHOWN)
  proxy URL      fetch URL with urllib (which uses HTTP_PROXY/HTTPS_PROXY); detail: the status
  capabilities   the CapEff/CapPrm/CapBnd lines of /proc/self/status (the server's own)

With ``"child": true`` the attempt is made by a new process (this script run with ``--probe``),
so what a server starts is shown to be held by the same sandbox.

Run ``sandbox_probe.py --probe KIND [TARGET [PORT]]`` to make one attempt and print its JSON.
"""

import errno
import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request


def failure(error):
    code = getattr(error, "errno", None)
    return {"ok": False, "errno": errno.errorcode.get(code, str(code)), "error": str(error)}


def attempt(kind, target=None, port=None):
    try:
        if kind == "read":
            with open(target, "rb") as f:
                return {"ok": True, "detail": len(f.read())}
        if kind == "write":
            with open(target, "w") as f:
                f.write("written by the probe\n")
            return {"ok": True}
        if kind == "list":
            return {"ok": True, "detail": sorted(os.listdir(target))}
        if kind == "execute":
            return {"ok": True, "detail": subprocess.run([target], capture_output=True, timeout=10).returncode}
        if kind == "connect":
            with socket.create_connection((target, int(port)), timeout=5):
                return {"ok": True}
        if kind == "udp":
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.sendto(b"probe", (target, int(port)))
            return {"ok": True}
        if kind == "unix":
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(5)
                s.connect(target)
            return {"ok": True}
        if kind == "signal":
            os.kill(os.getppid(), 0)
            return {"ok": True, "detail": os.getppid()}
        if kind == "chown":
            os.chown(target, 1, 1)
            return {"ok": True}
        if kind == "proxy":
            try:
                with urllib.request.urlopen(target, timeout=10) as response:
                    return {"ok": True, "detail": response.status}
            except urllib.error.HTTPError as error:
                return {"ok": False, "errno": "HTTP", "status": error.code, "error": error.read().decode("utf-8", "replace")}
            except urllib.error.URLError as error:
                return failure(error.reason if isinstance(error.reason, OSError) else error)
        if kind == "capabilities":
            with open("/proc/self/status") as f:
                lines = [line.strip() for line in f if line.startswith(("CapEff", "CapPrm", "CapBnd"))]
            return {"ok": True, "detail": lines}
        return {"ok": False, "errno": "EINVAL", "error": "unknown kind %r" % kind}
    except OSError as error:
        return failure(error)
    except subprocess.SubprocessError as error:
        return {"ok": False, "errno": "SUBPROCESS", "error": str(error)}


def in_child(kind, target, port):
    command = [sys.executable, os.path.abspath(__file__), "--probe", kind]
    command += [str(value) for value in (target, port) if value is not None]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    try:
        return json.loads(done.stdout)
    except ValueError:
        return {"ok": False, "errno": "CHILD", "error": "exit %d: %s %s" % (done.returncode, done.stdout, done.stderr)}


TOOL = {
    "name": "probe",
    "description": "Try something a sandbox may refuse; report what the kernel said.",
    "inputSchema": {
        "type": "object",
        "properties": {
            "kind": {"type": "string"},
            "target": {"type": "string"},
            "port": {"type": "integer"},
            "child": {"type": "boolean"},
        },
        "required": ["kind"],
    },
}


def answer(message):
    method = message.get("method")
    params = message.get("params") or {}
    if method == "initialize":
        return {"protocolVersion": params.get("protocolVersion", "2025-11-25"), "capabilities": {"tools": {}},
                "serverInfo": {"name": "sandbox-probe", "version": "1"}}
    if method == "tools/list":
        return {"tools": [TOOL]}
    if method == "ping":
        return {}
    if method == "tools/call" and params.get("name") == "probe":
        arguments = params.get("arguments") or {}
        run = in_child if arguments.get("child") else attempt
        result = run(arguments.get("kind"), arguments.get("target"), arguments.get("port"))
        return {"content": [{"type": "text", "text": json.dumps(result)}], "isError": not result["ok"]}
    return None


def serve():
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if "id" not in message:
            continue
        result = answer(message)
        if result is None:
            reply = {"jsonrpc": "2.0", "id": message["id"], "error": {"code": -32601, "message": "unknown method"}}
        else:
            reply = {"jsonrpc": "2.0", "id": message["id"], "result": result}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--probe":
        rest = sys.argv[2:] + [None, None]
        print(json.dumps(attempt(rest[0], rest[1], rest[2])))
    else:
        serve()

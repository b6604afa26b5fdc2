#!/usr/bin/env python3
"""Tollgate test fixture: a peer for the framing tests that reads JSON-RPC lines with a real
reader and records every line the reader extracts.

    framing_peer.py server-sdk RECORD [--ask FILE]                 (needs the SDK venv's python)
    framing_peer.py server-bytes RECORD [--ask FILE]
    framing_peer.py client-sdk RECORD [--ask FILE] -- COMMAND...   (needs the SDK venv's python)
    framing_peer.py client-bytes RECORD [--ask FILE] -- COMMAND...
    framing_peer.py emit STREAM COUNT

server-*: reads stdin, as a server behind Tollgate. server-sdk runs the official Python SDK's
own stdio server transport (``mcp.server.stdio.stdio_server``) over a text stream made exactly as
it makes its own (``TextIOWrapper(..., encoding="utf-8", errors="replace")``: universal newlines,
so a line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r``), seeing each line as the transport takes it.
client-*: starts COMMAND (Tollgate) and reads its stdout, as a client. client-sdk runs the SDK's
own ``mcp.client.stdio.stdio_client`` and sees each line its reader passes to ``_parse_line``
(it decodes UTF-8 and splits at ``\\n`` only). *-bytes split the raw bytes at ``\\n`` only.
--ask FILE: the peer first sends FILE's lines (requests, so that the responses a test sends next
answer requests in flight): a server writes them to stdout, a client to COMMAND's stdin (the
SDK client through its own transport). emit: a server that reads COUNT lines from stdin, then
writes the file STREAM to stdout and exits.

A server peer answers the request LAST (below), which a test sends last, once RECORD holds all
it read before (so the test need not wait for the peer to exit). At the end RECORD gets one JSON
object (written whole or not at all): ``lines`` (the hex of each line's UTF-8 bytes, without
its line end) and ``calls`` (``{"id": JSON text, "name": tool}`` for every tools/call request
the peer parsed: by the SDK's validation in the sdk modes, by json.loads otherwise, batch
elements included).
"""

import json
import os
import sys

LAST = '{"jsonrpc":"2.0","id":"framing-end","method":"ping"}'
LAST_ANSWER = b'{"jsonrpc":"2.0","id":"framing-end","result":{}}\n'

lines: list[str] = []
calls: list[dict] = []


def write_record() -> None:
    """Writes RECORD whole or not at all (a peer may be stopped by a signal at any time)."""
    with open(sys.argv[2] + ".tmp", "w", encoding="utf-8") as file:
        json.dump({"lines": lines, "calls": calls}, file)
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])


def answer_last(line: str) -> None:
    """Answers LAST once RECORD holds everything read so far."""
    if line == LAST:
        write_record()
        sys.stdout.buffer.write(LAST_ANSWER)
        sys.stdout.buffer.flush()


def note_call(message: dict) -> None:
    if isinstance(message, dict) and message.get("method") == "tools/call" and "id" in message:
        params = message.get("params")
        calls.append({"id": json.dumps(message["id"]), "name": params.get("name") if isinstance(params, dict) else None})


def take_bytes(pieces, answering: bool) -> None:
    """Takes lines split at b"\\n" only (binary readline), with or without their line end."""
    for piece in pieces:
        piece = piece[:-1] if piece.endswith(b"\n") else piece
        lines.append(piece.hex())
        if answering:
            answer_last(piece.decode("utf-8", "replace"))
        try:
            message = json.loads(piece)
        except ValueError:
            continue
        for element in message if isinstance(message, list) else [message]:
            note_call(element)


def note_sdk_message(item) -> None:
    import mcp_types as types

    message = getattr(item, "message", None)
    if isinstance(message, types.JSONRPCRequest) and message.method == "tools/call":
        calls.append({"id": json.dumps(message.id), "name": (message.params or {}).get("name")})


def asks() -> bytes:
    """The lines of the --ask file, if any."""
    if "--ask" not in sys.argv:
        return b""
    with open(sys.argv[sys.argv.index("--ask") + 1], "rb") as file:
        return file.read()


def write_asks() -> None:
    sys.stdout.buffer.write(asks())
    sys.stdout.buffer.flush()


async def server_sdk() -> None:
    from io import TextIOWrapper

    import anyio
    from mcp.server.stdio import stdio_server

    text = anyio.wrap_file(TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace"))
    output = anyio.wrap_file(TextIOWrapper(sys.stdout.buffer, encoding="utf-8"))

    class RecordedLines:
        """The text stream as the transport iterates it, noting each line."""

        def __aiter__(self):
            return self.lines()

        async def lines(self):
            async for line in text:
                lines.append((line[:-1] if line.endswith("\n") else line).encode("utf-8").hex())
                yield line

    async with stdio_server(stdin=RecordedLines(), stdout=output) as (read_stream, write_stream):
        async for item in read_stream:
            note_sdk_message(item)
            # Answered when the transport delivers it, so every message before it has been noted.
            if getattr(getattr(item, "message", None), "id", None) == "framing-end":
                answer_last(LAST)
        await write_stream.aclose()


async def client_sdk(command: list[str]) -> None:
    import mcp.client.stdio as transport
    from mcp.client.stdio import StdioServerParameters, stdio_client

    parse_line = transport._parse_line

    def recorded_parse_line(line: str):
        lines.append(line.encode("utf-8").hex())
        return parse_line(line)

    transport._parse_line = recorded_parse_line
    server = StdioServerParameters(command=command[0], args=command[1:])
    async with stdio_client(server) as (read_stream, write_stream):
        import mcp_types as types
        from mcp.shared.message import SessionMessage

        for line in asks().splitlines():
            await write_stream.send(SessionMessage(types.jsonrpc_message_adapter.validate_json(line, by_name=False)))
        async for item in read_stream:
            note_sdk_message(item)


def client_bytes(command: list[str]) -> None:
    import subprocess

    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    process.stdin.write(asks())
    process.stdin.flush()
    take_bytes(iter(process.stdout.readline, b""), answering=False)
    process.stdin.close()
    process.wait()


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    mode = sys.argv[1]
    command = sys.argv[sys.argv.index("--") + 1 :] if "--" in sys.argv else []
    if mode == "emit" and len(sys.argv) == 4:
        for _ in range(int(sys.argv[3])):
            sys.stdin.buffer.readline()
        with open(sys.argv[2], "rb") as file:
            sys.stdout.buffer.write(file.read())
        sys.stdout.buffer.flush()
        return 0
    if mode == "server-sdk":
        import anyio

        write_asks()
        anyio.run(server_sdk)
    elif mode == "server-bytes":
        write_asks()
        take_bytes(iter(sys.stdin.buffer.readline, b""), answering=True)
    elif mode == "client-sdk" and command:
        import anyio

        anyio.run(client_sdk, command)
    elif mode == "client-bytes" and command:
        client_bytes(command)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    write_record()
    return 0


if __name__ == "__main__":
    sys.exit(main())

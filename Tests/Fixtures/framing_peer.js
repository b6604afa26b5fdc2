#!/usr/bin/env node
// Tollgate test fixture: a peer for the framing tests that reads JSON-RPC lines with Node's
// `readline` (which ends a line at "\n", "\r\n" or a lone "\r") and records every line it
// extracts.
//
//   node framing_peer.js server RECORD [--ask FILE]                 reads stdin, as a server behind Tollgate
//   node framing_peer.js client RECORD [--ask FILE] -- COMMAND...   starts COMMAND (Tollgate), reads its stdout
//
// --ask FILE: first send FILE's lines (requests the responses a test sends next answer): a server
// writes them to stdout, a client to COMMAND's stdin.
// crlfDelay: Infinity makes "\r" then "\n" one line end however far apart they arrive (the
// default, 100 ms, would make the result depend on timing). As a server it answers the request
// LAST, which a test sends last, once RECORD holds all it read before. At the end RECORD gets one
// JSON object: `lines` (the hex of each line's UTF-8 bytes) and `calls` ({id: JSON text, name} for
// every tools/call request JSON.parse read, batch elements included).
'use strict';
const fs = require('fs');
const readline = require('readline');
const { spawn } = require('child_process');

const [mode, record, ...rest] = process.argv.slice(2);
const askAt = rest.indexOf('--ask');
const asks = askAt >= 0 ? fs.readFileSync(rest[askAt + 1]) : Buffer.alloc(0);
const commandAt = rest.indexOf('--');
const LAST = '{"jsonrpc":"2.0","id":"framing-end","method":"ping"}';
const lines = [];
const calls = [];

// Whole or not at all: a peer may be stopped by a signal at any time.
function writeRecord() {
    fs.writeFileSync(record + '.tmp', JSON.stringify({ lines, calls }));
    fs.renameSync(record + '.tmp', record);
}

function take(line) {
    lines.push(Buffer.from(line, 'utf8').toString('hex'));
    if (mode === 'server' && line === LAST) {
        writeRecord();
        process.stdout.write('{"jsonrpc":"2.0","id":"framing-end","result":{}}\n');
    }
    let message;
    try {
        message = JSON.parse(line);
    } catch {
        return;
    }
    for (const element of Array.isArray(message) ? message : [message]) {
        if (element && element.method === 'tools/call' && 'id' in element) {
            calls.push({ id: JSON.stringify(element.id), name: element.params ? element.params.name : null });
        }
    }
}

let input = process.stdin;
let child = null;
if (mode === 'client' && commandAt >= 0 && rest.length > commandAt + 1) {
    child = spawn(rest[commandAt + 1], rest.slice(commandAt + 2), { stdio: ['pipe', 'pipe', 'inherit'] });
    child.stdin.write(asks);
    input = child.stdout;
} else if (mode === 'server' && record) {
    process.stdout.write(asks);
} else {
    process.stderr.write('usage: framing_peer.js server RECORD [--ask FILE] | client RECORD [--ask FILE] -- COMMAND...\n');
    process.exit(2);
}
const reader = readline.createInterface({ input, crlfDelay: Infinity });
reader.on('line', take);
reader.on('close', () => {
    writeRecord();
    if (child) child.stdin.end();
});

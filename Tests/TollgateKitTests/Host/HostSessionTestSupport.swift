@testable import TollgateKit

extension HostSession {
    /// Feeds a client line given as text.
    mutating func client(_ line: String) -> HostActions {
        bytes(line).withUnsafeBytes { clientLine($0) }
    }

    /// Feeds a line of child `child` given as text.
    mutating func child(_ child: Int, _ line: String) -> HostActions {
        bytes(line).withUnsafeBytes { line in
            childLine(child, line, admitted: gate.admitting(ServerLine.read(line, maxDepth: maxDepth), in: line, maxDepth: maxDepth))
        }
    }

    /// A session over fixture-like children `names`, initialized by the client, each child having
    /// answered `initialize` and listed `tools[i]`.
    static func ready(_ names: [String], tools: [[String]], gate: any Gate = PassThroughGate(), prefixed: [Bool]? = nil,
                      clientCapabilities: String = #"{"sampling":{}}"#, limits: PeerLimits = .standard) throws -> HostSession {
        let servers = names.enumerated().map { ToolNamespace.Server(name: $0.element, prefixed: prefixed?[$0.offset] ?? true) }
        var session = HostSession(namespace: ToolNamespace(servers: servers), gate: gate, limits: limits)
        let start = session.client(#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":\#(clientCapabilities),"clientInfo":{"name":"t","version":"1"}}}"#)
        for index in names.indices {
            let sent = try HostLine.all(start.toChildren[index] ?? [])
            guard let id = sent.first?["id"]?.serialized else { throw TestFailure() }
            let listing = session.child(index, #"{"jsonrpc":"2.0","id":\#(text(id)),"result":{"protocolVersion":"2025-06-18","capabilities":{"tools":{}},"serverInfo":{"name":"\#(names[index])","version":"1"}}}"#)
            let list = try HostLine.all(listing.toChildren[index] ?? [])
            guard let listID = list.last?["id"]?.serialized else { throw TestFailure() }
            let toolJSON = tools[index].map { #"{"name":"\#($0)","inputSchema":{"type":"object"}}"# }.joined(separator: ",")
            _ = session.child(index, #"{"jsonrpc":"2.0","id":\#(text(listID)),"result":{"tools":[\#(toolJSON)]}}"#)
        }
        guard session.isInitialized else { throw TestFailure() }
        return session
    }
}

/// Splitting what a session wrote into parsed lines.
enum HostLine {
    static func all(_ buffer: [UInt8]) throws -> [JSONValue] {
        try splitLines(buffer).map { try json($0) }
    }

    static func one(_ buffer: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
        let lines = try all(buffer)
        guard lines.count == 1 else {
            Issue.record("expected one line, got \(lines.count): \(text(buffer))", sourceLocation: sourceLocation)
            throw TestFailure()
        }
        return lines[0]
    }
}

import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A synchronous MCP client session with one server process, for Tollgate's own commands
/// (`init`, `pin`): initialize, list tools (every page), shut down. Requests the server sends
/// meanwhile are answered (`ping` with `{}`, anything else with "method not found").
public final class ServerConnection {
    /// Why talking to the server failed.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    private let child: ChildProcess
    private var framer = LineFramer()
    private var nextID = 1
    /// How long to wait for each response.
    public var timeoutMilliseconds: Int64

    /// Starts the server.
    public init(_ configuration: ChildProcess.Configuration, timeoutMilliseconds: Int64 = 30_000) throws(SpawnError) {
        tg_ignore_sigpipe_once()
        child = try ChildProcess.spawn(configuration)
        self.timeoutMilliseconds = timeoutMilliseconds
    }

    deinit { close() }

    /// The `initialize` handshake (protocol 2025-11-25); returns the server's result.
    public func initialize() throws(Failure) -> JSONObject {
        let params: JSONValue = [
            "protocolVersion": "2025-11-25",
            "capabilities": [:],
            "clientInfo": ["name": "tollgate", "version": .string(Usage.version)],
        ]
        let result = try request("initialize", params: params)
        try send(Reply.notification(method: "notifications/initialized", params: nil))
        return result
    }

    /// Every tool the server offers, following `nextCursor` through every page.
    public func listTools() throws(Failure) -> [JSONObject] {
        var tools: [JSONObject] = []
        var cursor: String?
        var pages = 0
        repeat {
            let params: JSONValue? = cursor.map { ["cursor": .string($0)] }
            let result = try request("tools/list", params: params)
            guard case .array(let page)? = result["tools"] else {
                throw Failure(description: "the server's tools/list result has no \"tools\" array")
            }
            for case .object(let tool) in page { tools.append(tool) }
            cursor = result["nextCursor"]?.stringValue
            pages += 1
            if pages > 10_000 { throw Failure(description: "the server's tools/list pagination does not end") }
        } while cursor != nil
        return tools
    }

    /// Sends a request and waits for its result.
    public func request(_ method: String, params: JSONValue?) throws(Failure) -> JSONObject {
        let id = nextID
        nextID += 1
        try send(Reply.request(id: Array(String(id).utf8), method: method, params: params))
        let deadline = monotonicMilliseconds() + timeoutMilliseconds
        while true {
            let line = try readLine(deadline: deadline, waitingFor: method)
            guard case .object(let message) = line else { continue }
            if let requestMethod = message["method"]?.stringValue {
                if let theirID = message["id"] { try answer(requestMethod, id: theirID) }
                continue
            }
            guard message["id"] == .number(String(id)) else { continue }
            if let error = message["error"] {
                let text = error["message"]?.stringValue ?? error.jsonText
                throw Failure(description: "the server answered \(method) with an error: \(text)")
            }
            guard case .object(let result)? = message["result"] else {
                throw Failure(description: "the server's \(method) response has no result object")
            }
            return result
        }
    }

    /// Closes the server's stdin and waits for it to exit (SIGTERM, then SIGKILL, if it lingers).
    public func close() {
        guard !closed else { return }
        closed = true
        Glibc.close(child.input)
        for _ in 0..<200 {
            if child.reap() != nil { Glibc.close(child.output); return }
            usleep(10_000)
        }
        child.signalGroup(SIGTERM)
        for _ in 0..<200 {
            if child.reap() != nil { Glibc.close(child.output); return }
            usleep(10_000)
        }
        child.signalGroup(SIGKILL)
        _ = child.reap()
        Glibc.close(child.output)
    }

    private var closed = false

    private func answer(_ method: String, id: JSONValue) throws(Failure) {
        let idBytes = id.serialized
        if method.hasSameScalars(as: "ping") {
            try send(Reply.result(id: idBytes, [:]))
        } else {
            try send(Reply.error(id: idBytes, JSONRPCError(.methodNotFound, "Tollgate does not handle \(method) here")))
        }
    }

    private func send(_ line: [UInt8]) throws(Failure) {
        let ok = line.withUnsafeBytes { writeAll(child.input, $0) }
        if !ok { throw Failure(description: "the server closed its input") }
    }

    private func readLine(deadline: Int64, waitingFor method: String) throws(Failure) -> JSONValue? {
        while true {
            if let line = framer.next() {
                guard case .complete(let content, _) = line else { continue }
                return framer.withBytes { try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: $0[content])) }
            }
            let remaining = deadline - monotonicMilliseconds()
            guard remaining > 0 else { throw Failure(description: "the server did not answer \(method) within \(timeoutMilliseconds / 1000) s") }
            var descriptor = pollfd(fd: child.output, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, Int32(clamping: remaining))
            guard descriptor.revents != 0 else { continue }
            let output = child.output
            if framer.fill({ readRetrying(output, $0) }) <= 0 {
                let status = child.reap().map { " (it \($0))" } ?? ""
                throw Failure(description: "the server closed its output before answering \(method)\(status)")
            }
        }
    }
}

private func tg_ignore_sigpipe_once() {
    signal(SIGPIPE, SIG_IGN)
}

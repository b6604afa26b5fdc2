#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small RESP2 client for the budget store: one connection, made on first use and again after
/// a failure (not before the backoff has passed: 50 ms, doubling up to 2 s, reset by a success),
/// with a connect timeout and an operation timeout; a connection that failed or timed out is
/// dropped and never reused. Runs one Lua script by `EVALSHA`, loading it (`SCRIPT LOAD`) when
/// the server does not know it (`NOSCRIPT`: a restarted server, a failover, `SCRIPT FLUSH`).
///
/// Not thread-safe: its owner serializes the calls (``StoreAccount`` holds it under a mutex).
package final class StoreClient {
    /// Where and how to connect.
    package struct Settings: Sendable {
        package var endpoint: StoreEndpoint
        var user: String?
        var password: String?
        /// How long connecting (with `AUTH` and `SELECT`) may take.
        var connectTimeoutMs: Int64 = 1000
        /// How long one exchange (a pipeline of commands and their replies) may take.
        var operationTimeoutMs: Int64 = 50

        package init(endpoint: StoreEndpoint, user: String? = nil, password: String? = nil, connectTimeoutMs: Int64 = 1000, operationTimeoutMs: Int64 = 50) {
            self.endpoint = endpoint
            self.user = user
            self.password = password
            self.connectTimeoutMs = connectTimeoutMs
            self.operationTimeoutMs = operationTimeoutMs
        }
    }

    /// One script run: its keys and arguments, encoded once (a reservation's run is the same
    /// bytes every time, so it is kept and reused).
    package struct ScriptCall: Sendable {
        /// How many arguments follow the digest: the number of keys, the keys, the arguments.
        let count: Int
        /// Those arguments as RESP bulk strings.
        let encoded: [UInt8]

        init(keys: [[UInt8]], arguments: [[UInt8]]) {
            var command = RESPCommand()
            command.add(Int64(keys.count))
            for key in keys { command.add(key) }
            for argument in arguments { command.add(argument) }
            count = 1 + keys.count + arguments.count
            encoded = command.bytes
        }
    }

    /// The shortest and longest wait before connecting again after a failure.
    static let minimumBackoffMs: Int64 = 50, maximumBackoffMs: Int64 = 2000

    package let settings: Settings
    let script: String
    private var connection: StoreConnection?
    private var sha: [UInt8]?
    /// No connection is attempted before this (monotonic milliseconds).
    private var nextAttempt: Int64 = .min
    private var backoff: Int64 = StoreClient.minimumBackoffMs

    package init(settings: Settings, script: String) {
        self.settings = settings
        self.script = script
    }

    deinit { connection?.close() }

    /// How long until the next connection attempt is allowed (0 when one may be made now).
    var retryAfterMs: Int64 {
        connection != nil ? 0 : Swift.max(0, nextAttempt - SystemClock.monotonicMilliseconds())
    }

    /// Whether a connection is open.
    var isConnected: Bool { connection != nil }

    /// Drops the connection (the next operation connects again, at once).
    package func disconnect() {
        connection?.close()
        connection = nil
    }

    /// Whether the last ``run(_:)`` began on a connection opened before it (one the server may
    /// have closed meanwhile: a restart, an idle timeout).
    private(set) var ranOnOpenConnection = false

    /// Lets the next operation connect at once, whatever the backoff says (after a connection
    /// that had served before was found closed).
    func reconnectNow() {
        nextAttempt = .min
    }

    /// Runs the script once per call, all pipelined in one exchange; returns each run's reply
    /// (an error reply as a value). Loads the script when the server lacks it and runs again
    /// the calls it refused so.
    package func run(_ calls: [ScriptCall]) throws(StoreError) -> [RESPValue] {
        ranOnOpenConnection = connection != nil
        let connection = try connected()
        // Loaded on first use (readers never load it), within the connect timeout: it is set-up.
        if sha == nil { try load(connection, deadline: SystemClock.nanoseconds(CLOCK_MONOTONIC) + settings.connectTimeoutMs * 1_000_000) }
        var replies = try exchange(connection, evalsha(calls))
        let missing = replies.indices.filter { replies[$0].isError(code: "NOSCRIPT") }
        if !missing.isEmpty {
            // EVALSHA refused them before running anything, so running them again is safe.
            try load(connection, deadline: operationDeadline)
            let again = try exchange(connection, evalsha(missing.map { calls[$0] }))
            for (index, reply) in zip(missing, again) { replies[index] = reply }
        }
        return replies
    }

    /// Sends `commands` as one pipeline and returns their replies.
    func send(_ commands: RESPCommand) throws(StoreError) -> [RESPValue] {
        try exchange(try connected(), commands)
    }

    /// The `EVALSHA` commands of `calls`.
    private func evalsha(_ calls: [ScriptCall]) -> RESPCommand {
        var commands = RESPCommand()
        for call in calls {
            commands.begin(count: 2 + call.count)
            commands.add("EVALSHA".utf8)
            commands.add(sha ?? [])
            commands.add(encoded: call.encoded)
        }
        return commands
    }

    /// The open connection, or a new one when none is open and the backoff allows; throws
    /// ``StoreError/Kind/unreachable`` while it does not.
    private func connected() throws(StoreError) -> StoreConnection {
        if let connection, !connection.isBroken { return connection }
        connection = nil
        let now = SystemClock.monotonicMilliseconds()
        guard now >= nextAttempt else {
            throw StoreError(.unreachable, "the store at \(settings.endpoint) is unavailable (next attempt in \(nextAttempt - now) ms)")
        }
        do throws(StoreError) {
            let deadline = SystemClock.nanoseconds(CLOCK_MONOTONIC) + settings.connectTimeoutMs * 1_000_000
            let fresh = try StoreConnection(endpoint: settings.endpoint, user: settings.user, password: settings.password, deadline: deadline)
            connection = fresh
            backoff = Self.minimumBackoffMs
            nextAttempt = .min
            return fresh
        } catch {
            failed()
            throw error
        }
    }

    /// Loads the script (by `deadline`) and keeps its digest.
    private func load(_ connection: StoreConnection, deadline: Int64) throws(StoreError) {
        var command = RESPCommand()
        command.begin(count: 3)
        command.add("SCRIPT".utf8)
        command.add("LOAD".utf8)
        command.add(script.utf8)
        let reply = try exchange(connection, command, deadline: deadline)[0]
        guard let digest = reply.bytes, digest.count == 40 else {
            if reply.isError(code: "NOAUTH") {
                throw StoreError(.refused, "the store requires a password (NOAUTH): set budgets.storePassword, and budgets.storeUser for an ACL user")
            }
            if reply.isError(code: "NOPERM") {
                throw StoreError(.refused, "the store's ACL does not let this user load the budget script (\(reply.errorText ?? "")): see the ACL a gate needs in docs/manifest.md")
            }
            throw StoreError(.refused, "the store did not load the budget script: \(reply.errorText ?? "unexpected reply")")
        }
        sha = digest
    }

    /// When an operation starting now must be done: the operation timeout from now.
    private var operationDeadline: Int64 { SystemClock.nanoseconds(CLOCK_MONOTONIC) + settings.operationTimeoutMs * 1_000_000 }

    /// One exchange by `deadline` (by default within the operation timeout); a failure drops the
    /// connection and starts the backoff.
    private func exchange(_ connection: StoreConnection, _ commands: RESPCommand, deadline: Int64? = nil) throws(StoreError) -> [RESPValue] {
        do throws(StoreError) {
            return try connection.exchange(commands, deadline: deadline ?? operationDeadline)
        } catch {
            if connection.isBroken {
                if self.connection === connection { self.connection = nil }
                failed()
            }
            throw error
        }
    }

    /// Starts (or doubles) the wait before the next connection attempt.
    private func failed() {
        nextAttempt = SystemClock.monotonicMilliseconds() + backoff
        backoff = Swift.min(backoff * 2, Self.maximumBackoffMs)
    }
}

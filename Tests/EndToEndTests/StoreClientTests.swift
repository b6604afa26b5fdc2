import Foundation
import Testing
@testable import TollgateKit

/// The RESP2 client against a real `redis-server`: Unix socket and TCP, AUTH with an ACL user,
/// SELECT, pipelining, NOSCRIPT, and a server frozen past the operation timeout.
@Suite("Store client on a real Redis", .timeLimit(.minutes(2)))
struct StoreClientTests {
    /// A client with a 2 s operation timeout unless told (a loaded machine must not fake a timeout).
    private func client(_ url: String, user: String? = nil, password: String? = nil, script: String = "return 1", timeoutMs: Int64 = 2000) throws -> StoreClient {
        StoreClient(settings: StoreClient.Settings(endpoint: try StoreEndpoint(parsing: url), user: user, password: password, operationTimeoutMs: timeoutMs),
                    script: script)
    }

    @Test("Unix socket and TCP; SELECT keeps a database apart; 1,000 pipelined commands in one exchange")
    func basics() async throws {
        let redis = try await RedisServer("client-basics", tcp: true)
        let overSocket = try client(redis.unixURL(db: 3))
        var commands = RESPCommand()
        for index in 0..<1000 { commands.append(["INCRBY", "counter", String(index % 7)]) }
        let replies = try overSocket.send(commands)
        #expect(replies.count == 1000 && replies.last == .integer(Int64((0..<1000).reduce(0) { $0 + $1 % 7 })))
        #expect(try await redis.cli(["-n", "3", "GET", "counter"]) == String((0..<1000).reduce(0) { $0 + $1 % 7 }))
        #expect(try await redis.cli(["-n", "0", "EXISTS", "counter"]) == "0")
        let overTCP = try client(redis.tcpURL(db: 3))
        #expect(try overTCP.send(RESPCommand(["GET", "counter"])) == [.bulk(Array(String((0..<1000).reduce(0) { $0 + $1 % 7 }).utf8))])
    }

    @Test("AUTH as an ACL user; a wrong password is refused with a message naming the settings")
    func authentication() async throws {
        let redis = try await RedisServer("client-auth")
        try await redis.cli(["ACL", "SETUSER", "gate", "on", ">s3cret", "~*", "+@all"])
        try await redis.cli(["ACL", "SETUSER", "default", "off"])
        let good = try client(redis.unixURL(), user: "gate", password: "s3cret")
        #expect(try good.send(RESPCommand(["ACL", "WHOAMI"])) == [.bulk(Array("gate".utf8))])
        let bad = try client(redis.unixURL(), user: "gate", password: "wrong")
        #expect {
            try bad.send(RESPCommand(["PING"]))
        } throws: { error in
            (error as? StoreError)?.kind == .refused && "\(error)".contains("budgets.storePassword")
        }
        let nobody = try client(redis.unixURL())
        #expect(try nobody.send(RESPCommand(["PING"])).first?.isError(code: "NOAUTH") == true)
        #expect {
            try nobody.run([StoreClient.ScriptCall(keys: [], arguments: [])])
        } throws: { error in
            (error as? StoreError)?.kind == .refused && "\(error)".contains("set budgets.storePassword")
        }
    }

    @Test("EVALSHA loads the script on NOSCRIPT (after SCRIPT FLUSH) and runs the refused calls again")
    func noscript() async throws {
        let redis = try await RedisServer("client-noscript")
        let runner = try client(redis.unixURL(), script: "return redis.call('INCR', KEYS[1])")
        let call = StoreClient.ScriptCall(keys: [Array("n".utf8)], arguments: [])
        #expect(try runner.run([call, call]) == [.integer(1), .integer(2)])
        try await redis.cli(["SCRIPT", "FLUSH"])
        #expect(try runner.run([call, call, call]) == [.integer(3), .integer(4), .integer(5)])
        #expect(try await redis.cli(["GET", "n"]) == "5")
    }

    @Test("a server frozen past a 100 ms operation timeout: the call times out within it, the connection is dropped, a late reply is never read as the next one's")
    func frozen() async throws {
        let redis = try await RedisServer("client-frozen")
        let runner = try client(redis.unixURL(), timeoutMs: 100)
        #expect(try runner.send(RESPCommand(["SET", "k", "before"])) == [.simple(Array("OK".utf8))])
        redis.freeze()
        let started = ContinuousClock.now
        #expect {
            try runner.send(RESPCommand(["INCR", "late"]))
        } throws: { error in
            (error as? StoreError)?.kind == .timedOut
        }
        let waited = started.duration(to: .now)
        #expect(waited >= .milliseconds(95) && waited < .milliseconds(1500), "waited \(waited)")
        #expect(!runner.isConnected)
        // Within the backoff, no connection is attempted.
        #expect(throws: StoreError.self) { try runner.send(RESPCommand(["PING"])) }
        redis.thaw()
        try await Task.sleep(for: .milliseconds(150))
        // The frozen INCR ran on thaw, its reply went to the dropped connection; this one gets its own.
        #expect(try runner.send(RESPCommand(["GET", "k"])) == [.bulk(Array("before".utf8))])
        #expect(try await redis.cli(["GET", "late"]) == "1")
    }

    @Test("a stopped server: unreachable, with a wait before the next attempt; it connects again once the server is back")
    func reconnect() async throws {
        let redis = try await RedisServer("client-reconnect")
        let runner = try client(redis.unixURL())
        #expect(try runner.send(RESPCommand(["PING"])) == [.simple(Array("PONG".utf8))])
        redis.stop()
        #expect(throws: StoreError.self) { try runner.send(RESPCommand(["PING"])) }
        #expect(runner.retryAfterMs > 0)
        try await redis.start()
        try await Task.sleep(for: .milliseconds(Int(StoreClient.maximumBackoffMs) + 50))
        #expect(try runner.send(RESPCommand(["PING"])) == [.simple(Array("PONG".utf8))])
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One connection to the store: commands go out pipelined (all in one write), replies are read
/// in order. Any failure but a command's own error reply leaves it unusable (``isBroken``): the
/// owner drops it, so a reply that came late can never be taken for the next command's.
final class StoreConnection {
    private let socket: StoreSocket
    private var buffer: [UInt8] = []
    private var offset = 0
    /// Whether a failure left the connection out of step; it must be dropped.
    private(set) var isBroken = false

    /// Connects to `endpoint` and authenticates (`AUTH [user] password`) and selects the
    /// database (`SELECT`) in one pipelined exchange, all by `deadline` (monotonic nanoseconds).
    init(endpoint: StoreEndpoint, user: String?, password: String?, deadline: Int64) throws(StoreError) {
        socket = try StoreSocket.connect(endpoint, deadline: deadline)
        var hello = RESPCommand()
        if let password {
            hello.append(user.map { ["AUTH", $0, password] } ?? ["AUTH", password])
        }
        if endpoint.database != 0 { hello.append(["SELECT", String(endpoint.database)]) }
        guard hello.count > 0 else { return }
        let replies = try exchange(hello, deadline: deadline)
        for reply in replies {
            guard let text = reply.errorText else { continue }
            isBroken = true
            socket.close()
            if reply.isError(code: "WRONGPASS") || reply.isError(code: "NOAUTH") || reply.isError(code: "ERR") && text.contains("AUTH") {
                throw StoreError(.refused, "the store refused the credentials (\(text)): check budgets.storeUser and budgets.storePassword")
            }
            throw StoreError(.refused, "the store refused the connection's set-up: \(text)")
        }
    }

    /// Closes the connection.
    func close() {
        isBroken = true
        socket.close()
    }

    /// Sends `commands` and reads one reply for each by `deadline` (monotonic nanoseconds).
    /// Error replies are returned as values; anything else that goes wrong breaks the connection.
    func exchange(_ commands: RESPCommand, deadline: Int64) throws(StoreError) -> [RESPValue] {
        guard !isBroken else { throw StoreError(.closed, "the connection to the store was dropped") }
        do throws(StoreError) {
            try socket.send(commands.bytes, deadline: deadline)
            var replies: [RESPValue] = []
            replies.reserveCapacity(commands.count)
            while replies.count < commands.count {
                replies.append(try reply(deadline: deadline))
            }
            if offset == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                offset = 0
            } else if offset > 0 {
                buffer.removeFirst(offset)
                offset = 0
            }
            return replies
        } catch {
            close()
            throw error
        }
    }

    /// The next reply, reading as much as it takes.
    private func reply(deadline: Int64) throws(StoreError) -> RESPValue {
        while true {
            let outcome: RESPParser.Outcome
            do throws(RESPParser.Malformed) {
                outcome = try RESPParser.parse(buffer, at: offset)
            } catch {
                throw StoreError(.malformed, "the store sent something that is not RESP2: \(error)")
            }
            switch outcome {
            case .reply(let value, let end):
                offset = end
                return value
            case .incomplete(let needed):
                repeat {
                    try socket.receive(into: &buffer, deadline: deadline)
                } while buffer.count < needed
            }
        }
    }
}

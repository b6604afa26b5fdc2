// Standard library only: scripts/fuzz compiles this file into the stream fuzz target too.

/// A generated stream of JSON-RPC lines for the framing tests (the differential test through
/// real readers, and the stream fuzz target): notifications, pings and other requests,
/// responses, `tools/call`s allowed and denied, calls sent as notifications, and batches of them,
/// laid out with whitespace between any two tokens that often holds raw carriage returns;
/// strings that hold the other characters some reader ends lines at (raw U+0085, U+2028,
/// U+2029; now and then a raw CR, `\x0b`, `\x0c`, `\x1c`–`\x1e` or tab, which makes the line
/// invalid JSON); CRLF line ends and blank lines; and messages that hide a whole message inside
/// themselves between two carriage returns, as an attacker would.
struct FramingStream {
    /// Which way the stream goes: from a client (to the server) or from a server (to the client).
    enum Direction: Sendable {
        case toServer
        case toClient
    }

    /// What the gate is to do with one message.
    enum Role: Sendable, Equatable {
        /// Forwarded as it is: a notification, a request other than `tools/call`.
        case passThrough
        /// A response: forwarded as it is when it answers a request in flight (the framing tests
        /// make one for each first), else dropped.
        case response
        /// A `tools/call` of ``FramingStream/allowedTool``.
        case allowedCall
        /// A `tools/call` of ``FramingStream/deniedTool``.
        case deniedCall
        /// A `tools/call` without an id: never forwarded.
        case callNotification
    }

    /// One generated line.
    struct Line: Sendable {
        /// The line without its line end.
        var content: [UInt8]
        /// How it ends: `\n`, `\r\n` or `\r\r\n`.
        var ending: [UInt8]
        /// One role per message: one for a single message, one per element of a batch.
        var roles: [Role]
        /// Whether the line is JSON: not when it is blank, or when a raw control character
        /// stands inside one of its strings.
        var isJSON: Bool
    }

    /// The tool the framing tests' manifest allows.
    static let allowedTool = "echo"
    /// The tool the framing tests' manifest denies.
    static let deniedTool = "forbidden"

    /// The lines, in order.
    let lines: [Line]

    /// The whole stream as it is written.
    var bytes: [UInt8] { lines.flatMap { $0.content + $0.ending } }

    /// `count` lines going `direction`, every choice drawn from `choices`.
    init(_ direction: Direction, lines count: Int, choices: inout StreamChoices) {
        var writer = Writer(direction: direction, choices: choices)
        lines = (0..<count).map { _ in writer.line() }
        choices = writer.choices
    }
}

extension FramingStream {
    /// Writes lines token by token, drawing the whitespace between tokens.
    private struct Writer {
        typealias Member = (key: String, value: (inout Writer) -> Void)

        let direction: Direction
        var choices: StreamChoices
        var bytes: [UInt8] = []
        var isJSON = true
        /// Whether whitespace may go between tokens (not inside a hidden message, which must
        /// parse alone).
        var spaced = true
        /// The next request id: each is used once in a stream.
        var nextID = 1

        init(direction: Direction, choices: StreamChoices) {
            self.direction = direction
            self.choices = choices
        }

        mutating func line() -> Line {
            bytes = []
            isJSON = true
            var roles: [Role] = []
            switch draw(20) {
            case 0:
                append(pick(["", " ", "\r", "\t\r ", "\r\r"]))
                isJSON = false
            case 1, 2:
                append("[")
                space()
                for index in 0..<(1 + draw(4)) {
                    if index > 0 { comma() }
                    roles.append(message())
                }
                space()
                append("]")
            default:
                roles.append(message())
            }
            let ending = pick(["\n", "\n", "\n", "\r\n", "\r\n", "\r\r\n"])
            return Line(content: bytes, ending: Array(ending.utf8), roles: roles, isJSON: isJSON)
        }

        // MARK: - Messages

        /// Writes one message and returns its role.
        mutating func message() -> Role {
            switch direction {
            case .toServer:
                switch draw(12) {
                case 0, 1: envelope(id: false, method: pick(["notifications/initialized", "notifications/vendor.example/thing", "notifications/roots/list_changed"])) { $0.randomObject(depth: 1) }
                case 2, 3: envelope(id: true, method: pick(["ping", "resources/list", "vendor.example/method", "tools/list"])) { $0.randomObject(depth: 1) }
                case 4: return response()
                case 5, 6:
                    call(FramingStream.allowedTool, withID: true)
                    return .allowedCall
                case 7:
                    call(FramingStream.deniedTool, withID: true)
                    return .deniedCall
                case 8:
                    call(pick([FramingStream.allowedTool, FramingStream.deniedTool]), withID: false)
                    return .callNotification
                case 9:
                    // An allowed call whose arguments hide a denied one.
                    envelope(id: true, method: "tools/call") { writer in
                        writer.object([("name", { $0.string(FramingStream.allowedTool) }), ("arguments", { $0.smuggling() })])
                    }
                    return .allowedCall
                default:
                    return smugglingMessage(notification: "notifications/vendor.example/thing")
                }
            case .toClient:
                switch draw(10) {
                case 0, 1: envelope(id: false, method: pick(["notifications/message", "notifications/progress", "notifications/tools/list_changed"])) { $0.randomObject(depth: 1) }
                case 2, 3: envelope(id: true, method: pick(["ping", "sampling/createMessage", "roots/list", "elicitation/create"])) { $0.randomObject(depth: 1) }
                case 4, 5, 6: return response()
                default: return smugglingMessage(notification: "notifications/message")
                }
            }
            return .passThrough
        }

        /// A response with a result or an error.
        mutating func response() -> Role {
            if draw(2) == 0 {
                envelope(id: true, method: nil) { $0.randomObject(depth: 1) }
            } else {
                envelope(id: true, method: nil, error: true) { writer in
                    writer.object([("code", { $0.append("-32601") }), ("message", { $0.randomString() })])
                }
            }
            return .response
        }

        mutating func call(_ tool: String, withID: Bool) {
            envelope(id: withID, method: "tools/call") { writer in
                writer.object([
                    ("name", { $0.string(tool) }),
                    ("arguments", { writer in writer.object([("text", { $0.randomString() })]) }),
                ])
            }
        }

        /// A notification, ping or response whose params (or result) hide a message; returns its role.
        mutating func smugglingMessage(notification method: String) -> Role {
            switch draw(3) {
            case 0: envelope(id: false, method: method) { $0.smuggling() }
            case 1: envelope(id: true, method: "ping") { $0.smuggling() }
            default:
                envelope(id: true, method: nil) { $0.smuggling() }
                return .response
            }
            return .passThrough
        }

        /// `{"jsonrpc": "2.0", "id": …, "method": …, "params" (or "result", "error"): body}`.
        mutating func envelope(id: Bool, method: String?, error: Bool = false, body: @escaping (inout Writer) -> Void) {
            var members: [Member] = [("jsonrpc", { $0.string("2.0") })]
            if id { members.append(("id", { $0.freshID() })) }
            if let method { members.append(("method", { $0.string(method) })) }
            members.append((method != nil ? "params" : error ? "error" : "result", body))
            object(members)
        }

        /// An object whose `hidden` member is a whole message between two raw carriage returns:
        /// to a reader that ends lines at a CR, that message stands on a line of its own (toward
        /// a server a denied call, toward a client a response no request was made for).
        mutating func smuggling() {
            object([
                ("note", { $0.randomString() }),
                ("hidden", { writer in
                    writer.append(writer.pick(["\r", " \r", "\r "]))
                    writer.spaced = false
                    switch writer.direction {
                    case .toServer: writer.call(FramingStream.deniedTool, withID: true)
                    case .toClient: writer.envelope(id: true, method: nil) { $0.append(#"{"content":[{"type":"text","text":"forged"}]}"#) }
                    }
                    writer.spaced = true
                    writer.append(writer.pick(["\r", "\r ", " \r"]))
                }),
            ])
        }

        // MARK: - Values

        /// An object of `members` in order.
        mutating func object(_ members: [Member]) {
            append("{")
            space()
            for (index, member) in members.enumerated() {
                if index > 0 { comma() }
                string(member.key)
                space()
                append(":")
                space()
                member.value(&self)
                space()
            }
            append("}")
        }

        /// An object of up to three members with random values; keys `k<index>_<word>` are unique.
        mutating func randomObject(depth: Int) {
            let members: [Member] = (0..<draw(4)).map { index in
                ("k\(index)_\(pick(["a", "note", "p", "é"]))", { $0.randomValue(depth: depth + 1) })
            }
            object(members)
        }

        mutating func randomValue(depth: Int) {
            switch draw(depth >= 3 ? 3 : 5) {
            case 0: append(pick(["0", "-1", "12345678901234567890", "1.5e3", "-0.25", "true", "false", "null"]))
            case 1, 2: randomString()
            case 3:
                append("[")
                space()
                for index in 0..<draw(4) {
                    if index > 0 { comma() }
                    randomValue(depth: depth + 1)
                }
                space()
                append("]")
            default: randomObject(depth: depth)
            }
        }

        /// A string of random pieces: words, JSON punctuation, escapes, non-ASCII, the line
        /// separators JSON allows raw in strings and, rarely, a raw control character.
        mutating func randomString() {
            var text: [UInt8] = [UInt8(ascii: "\"")]
            for _ in 0..<draw(6) {
                switch draw(40) {
                case 0:
                    // A raw control character: not JSON, so the gate refuses the whole line.
                    text.append(pick([0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x09]))
                    isJSON = false
                case 1..<10: text += Array(pick(["\u{85}", "\u{2028}", "\u{2029}"]).utf8)
                case 10..<16: text += Array(pick(["[1,", "]", "{", "}", ":", ","]).utf8)
                case 16..<22: text += Array(pick([#"\r"#, #"\n"#, #"\t"#, #"\""#, #"\\"#, #"\/"#, #"\u2028"#, #"\ud83d\ude00"#]).utf8)
                case 22..<26: text += Array(pick(["é", "€", "😀"]).utf8)
                default: text += Array(pick(["a", "hello", "x y", "Zz9", "jsonrpc"]).utf8)
                }
            }
            text.append(UInt8(ascii: "\""))
            bytes += text
        }

        mutating func string(_ plain: String) {
            append("\"" + plain + "\"")
        }

        /// A number or a string id not used before in the stream.
        mutating func freshID() {
            let id = nextID
            nextID += 1
            append(draw(2) == 0 ? "\(id)" : "\"r-\(id)\"")
        }

        // MARK: - Layout

        /// Whitespace between two tokens: mostly none, often with raw carriage returns.
        mutating func space() {
            guard spaced, draw(10) >= 6 else { return }
            append(pick([" ", "\t", "\r", " \r", "\r\r", "\r\t ", "  "]))
        }

        mutating func comma() {
            space()
            append(",")
            space()
        }

        mutating func append(_ text: String) {
            bytes += Array(text.utf8)
        }

        mutating func draw(_ count: Int) -> Int {
            choices.draw(count)
        }

        mutating func pick<T>(_ options: [T]) -> T {
            options[draw(options.count)]
        }
    }
}

/// Where a generated stream's choices come from: bytes, one a choice (the stream fuzz target's
/// input, so a mutated byte changes one choice), or blocks of bytes made on demand from a seed.
/// Once the bytes run out every choice is the first, so a stream always ends.
struct StreamChoices {
    private var bytes: [UInt8]
    private var position = 0
    private var blocks = 0
    private let more: ((Int) -> [UInt8])?

    /// Choices read from `bytes`.
    init(bytes: [UInt8]) {
        self.bytes = bytes
        more = nil
    }

    /// Choices read from `block(0)`, `block(1)`, ... as they are needed.
    init(blocks block: @escaping (Int) -> [UInt8]) {
        bytes = []
        more = block
    }

    /// One of `count` (at most 256) choices: the next byte modulo `count`.
    mutating func draw(_ count: Int) -> Int {
        if position == bytes.count, let more {
            bytes = more(blocks)
            blocks += 1
            position = 0
        }
        guard position < bytes.count else { return 0 }
        position += 1
        return Int(bytes[position - 1]) % count
    }
}

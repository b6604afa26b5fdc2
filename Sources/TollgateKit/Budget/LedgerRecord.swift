/// One line of a ledger file: `CRC SP JSON LF`, where `CRC` is the CRC-32C of the JSON bytes
/// in eight lowercase hex digits (see ``LedgerChecksum``). For example:
///
/// ```
/// 0d5c3f2a {"k":"reserve","t":1767225600000,"tool":"git_log","rules":["git_*"],"calls":1,"cost":0.5,"pid":4242}
/// ```
///
/// A file starts with a `header` record (`{"k":"header","version":2,"t":…}`); a file of an older
/// format gets one where it stands when a writer of this format first opens it; a file replaced by
/// compaction ends with a `compacted` record (readers reopen the path). Every other record is a
/// ``SpendEvent``: `t` is its time, `tool` (absent for sampling), `rules`, `scopes` (the scope
/// of the overall budget, then of each rule, absent when all are `global`), and the non-zero
/// amounts `calls`, `cost` (units, exact decimal), `resultTokens`, `samplingTokens` (negative
/// for a release or refund). `k` says what made it, for people reading the file: `reserve`,
/// `settle`, `release`, `sampling`, `sampling-settle`, `snapshot` (written by compaction).
/// Unknown members are ignored. A line whose checksum does not match (a torn write, a crash
/// mid-line) is not a record.
public struct LedgerRecord: Sendable, Hashable {
    /// What wrote the record.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case header
        case reserve
        case settle
        case release
        case sampling
        case samplingSettle = "sampling-settle"
        case snapshot
        case compacted
    }

    /// The ledger format this code writes and reads: 2 since writers lock with ``LedgerLock``
    /// (format 1: `flock`); the records are the same.
    public static let version = 2

    /// What wrote the record.
    public var kind: Kind
    /// When (for spend: the time it counts at).
    public var time: Int64
    /// The spend, for every kind but `header` and `compacted`.
    public var event: SpendEvent?
    /// The writer's process id (for people; not read back).
    public var pid: Int32?
    /// The format version (`header` only).
    public var version: Int?

    /// Creates a spend record.
    public init(_ kind: Kind, event: SpendEvent, pid: Int32? = nil) {
        self.kind = kind
        time = event.time
        self.event = event
        self.pid = pid
    }

    /// Creates a `header` or `compacted` record.
    public init(marker kind: Kind, time: Int64) {
        self.kind = kind
        self.time = time
        event = nil
        pid = nil
        version = kind == .header ? Self.version : nil
    }

    /// The record as one line, checksum and newline included.
    public func line() -> [UInt8] {
        var line: [UInt8] = []
        appendLine(to: &line)
        return line
    }

    /// Appends the record's line (checksum and newline included) to `lines`: written there
    /// once, the checksum filled in before it.
    func appendLine(to lines: inout [UInt8]) {
        var json = JSONWriter(capacity: 0)
        swap(&json.bytes, &lines)
        defer { swap(&json.bytes, &lines) }
        let start = json.bytes.count
        json.append("00000000 {\"k\":")
        json.write(string: kind.rawValue)
        if let version {
            json.append(",\"version\":")
            json.write(integer: version)
        }
        json.append(",\"t\":")
        json.write(integer: Int(time))
        if let event {
            if let tool = event.tool {
                json.append(",\"tool\":")
                json.write(string: tool)
            }
            func list(_ key: StaticString, _ texts: [String]) {
                guard !texts.isEmpty else { return }
                json.append(key)
                for (index, text) in texts.enumerated() {
                    if index > 0 { json.append(",") }
                    json.write(string: text)
                }
                json.append("]")
            }
            list(",\"rules\":[", event.rules)
            list(",\"scopes\":[", event.spendScopes)
            for counter in BudgetCounter.allCases where event.amount[counter] != 0 {
                json.append(",")
                json.write(string: counter.description)
                json.append(":")
                if counter == .cost {
                    json.write(unescaped: counter.format(event.amount[counter]))
                } else {
                    json.write(integer: Int(event.amount[counter]))
                }
            }
        }
        if let pid {
            json.append(",\"pid\":")
            json.write(integer: Int(pid))
        }
        json.append("}\n")
        json.bytes.withUnsafeMutableBytes { line in
            let checksum = LedgerChecksum.crc32c(UnsafeRawBufferPointer(rebasing: line[(start + 9)..<(line.count - 1)]))
            LedgerChecksum.writeHex(checksum, into: UnsafeMutableRawBufferPointer(rebasing: line[start..<(start + 8)]))
        }
    }

    /// Reads one line (without its newline); nil when the checksum does not match or the JSON is
    /// not a record of this format (a torn or damaged line).
    public static func decode(_ line: UnsafeRawBufferPointer) -> LedgerRecord? {
        guard line.count > 10, line[8] == UInt8(ascii: " "),
              let expected = LedgerChecksum.parseHex(UnsafeRawBufferPointer(rebasing: line[0..<8]))
        else { return nil }
        let json = UnsafeRawBufferPointer(rebasing: line[9...])
        guard LedgerChecksum.crc32c(json) == expected,
              let value = try? JSONValue.parse(json), case .object(let object) = value
        else { return nil }
        return record(object)
    }

    /// The record a checked JSON object describes, or nil.
    private static func record(_ object: JSONObject) -> LedgerRecord? {
        guard let kindText = object["k"]?.stringValue, let kind = Kind(rawValue: kindText),
              case .number(let timeText)? = object["t"], let time = Int64(timeText)
        else { return nil }
        switch kind {
        case .header:
            guard case .number(let versionText)? = object["version"], let version = Int(versionText) else { return nil }
            var record = LedgerRecord(marker: .header, time: time)
            record.version = version
            return record
        case .compacted:
            return LedgerRecord(marker: .compacted, time: time)
        default:
            var amount = BudgetUsage.zero
            for counter in BudgetCounter.allCases {
                guard let value = object[counter.description] else { continue }
                guard case .number(let text) = value, let parsed = parseAmount(text, counter) else { return nil }
                amount[counter] = parsed
            }
            var rules: [String] = []
            if let list = object["rules"] {
                guard case .array(let elements) = list else { return nil }
                for element in elements {
                    guard let rule = element.stringValue else { return nil }
                    rules.append(rule)
                }
            }
            var scopes: [String] = []
            if let list = object["scopes"] {
                guard case .array(let elements) = list, elements.count <= rules.count + 1 else { return nil }
                for element in elements {
                    guard let scope = element.stringValue else { return nil }
                    scopes.append(scope)
                }
            }
            let tool = object["tool"]?.stringValue
            return LedgerRecord(kind, event: SpendEvent(time: time, tool: tool, rules: rules, amount: amount, spendScopes: scopes))
        }
    }

    /// An amount as written: an integer, or for cost an exact decimal; either may be negative.
    private static func parseAmount(_ text: String, _ counter: BudgetCounter) -> Int64? {
        let negative = text.hasPrefix("-")  // not a protocol name
        let magnitude = negative ? String(text.dropFirst()) : text
        let value: Int64?
        if counter == .cost {
            value = CostUnits.parseMicros(Array(magnitude.utf8))
        } else {
            value = magnitude.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) ? Int64(magnitude) : nil
        }
        return value.map { negative ? -$0 : $0 }
    }
}

extension LedgerRecord {
    /// Calls `body` with every intact, newline-terminated record of `data`, in order; damaged
    /// lines and a torn last line (no newline) are skipped.
    static func forEachRecord(in data: [UInt8], _ body: (LedgerRecord) -> Void) {
        data.withUnsafeBytes { bytes in
            var start = 0
            while start < bytes.count {
                var end = start
                while end < bytes.count && bytes[end] != 0x0A { end += 1 }
                defer { start = end + 1 }
                guard end < bytes.count, let record = LedgerRecord.decode(UnsafeRawBufferPointer(rebasing: bytes[start..<end])) else { continue }
                body(record)
            }
        }
    }
}

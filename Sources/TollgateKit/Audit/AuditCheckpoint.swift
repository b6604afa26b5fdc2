/// Where an audit log's chain stood at one moment, kept outside the log (a checkpoint file, a
/// telemetry collector): a log whose last records were cut still verifies on its own, but it no
/// longer holds the record a later checkpoint names.
///
/// With an audit key (``AuditKey``), `mac` is the HMAC-SHA-256 of ``signedText`` under that
/// key, so whoever can write the checkpoint file cannot forge a checkpoint that matches a cut log.
public struct AuditCheckpoint: Sendable, Equatable {
    /// When it was taken (RFC 3339).
    public var time: String
    /// The `seq` of the last record in the chain.
    public var seq: Int
    /// That record's `hash`.
    public var hash: String
    /// The run that took it.
    public var run: String
    /// The HMAC-SHA-256 of ``signedText`` (hex), when a key was set.
    public var mac: String?

    public init(time: String, seq: Int, hash: String, run: String, mac: String? = nil) {
        self.time = time
        self.seq = seq
        self.hash = hash
        self.run = run
        self.mac = mac
    }

    /// A checkpoint of `seq` and `hash` taken now, authenticated with `key` when there is one.
    public static func taken(seq: Int, hash: String, run: String, key: [UInt8]?, time: AuditTimestamp = .now()) -> AuditCheckpoint {
        var checkpoint = AuditCheckpoint(time: time.rfc3339, seq: seq, hash: hash, run: run)
        checkpoint.mac = key.map { Hex.encode(HMAC.authenticationCode(key: $0, message: Array(checkpoint.signedText.utf8))) }
        return checkpoint
    }

    /// What the MAC covers: every field, one per line, after a fixed label.
    public var signedText: String { "tollgate audit checkpoint v1\n\(seq)\n\(hash)\n\(time)\n\(run)" }

    /// Whether `mac` is the one `key` gives.
    public func isAuthentic(key: [UInt8]) -> Bool {
        guard let mac else { return false }
        let expected = Hex.encode(HMAC.authenticationCode(key: key, message: Array(signedText.utf8)))
        return mac.utf8.elementsEqual(expected.utf8)
    }

    /// The line written to a checkpoint file (with its newline).
    public var line: [UInt8] {
        var object = JSONObject()
        object["event"] = "checkpoint"
        object["time"] = .string(time)
        object["seq"] = .number(String(seq))
        object["hash"] = .string(hash)
        object["run"] = .string(run)
        if let mac { object["mac"] = .string(mac) }
        return JSONValue.object(object).serialized + [0x0A]
    }

    /// Reads a checkpoint file's line; nil when it is not a checkpoint.
    public init?(line: [UInt8]) {
        guard case .object(let object)? = try? JSONValue.parse(line),
            object["event"]?.stringValue.map({ $0.utf8.elementsEqual("checkpoint".utf8) }) == true,
            let time = object["time"]?.stringValue, let hash = object["hash"]?.stringValue, let run = object["run"]?.stringValue,
            case .number(let seqText)? = object["seq"], let seq = Int(seqText), seq >= 0
        else { return nil }
        self.init(time: time, seq: seq, hash: hash, run: run, mac: object["mac"]?.stringValue)
    }
}

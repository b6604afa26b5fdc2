extension AuditTimestamp {
    /// Reads RFC 3339 text as records carry it (`2026-11-23T18:30:00.123456Z`), also with another
    /// offset (`+01:00`), a lowercase `t`/`z`, or a space for the `T`; fraction digits past the
    /// sixth are dropped. Nil when the text is not such a time.
    public init?(rfc3339 text: String) {
        var scanner = DateTimeScanner(text)
        guard let (local, microseconds) = scanner.dateAndTime(), let offset = scanner.offset(), scanner.atEnd else { return nil }
        self.init(seconds: local - offset, microseconds: microseconds)
    }

    /// The timestamp `milliseconds` before this one.
    func minus(milliseconds: Int64) -> AuditTimestamp {
        let micros = seconds * 1_000_000 + Int64(microseconds) - milliseconds * 1000
        let whole = micros >= 0 ? micros / 1_000_000 : (micros - 999_999) / 1_000_000
        return AuditTimestamp(seconds: whole, microseconds: Int32(micros - whole * 1_000_000))
    }
}

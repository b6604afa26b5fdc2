extension AuditSummary {
    /// Gathers a summary one record at a time, so that a log need not be held in memory as records.
    /// Tools are told apart by the bytes of their names (and servers'), and sorted by them.
    public struct Builder: Sendable {
        private var rows: [[UInt8]: Row] = [:]
        private var totals = Row(server: nil, tool: "")
        private var records = 0, decisions = 0, events = 0, skippedLines = 0
        private var review = Review()
        /// Records before this time are passed over.
        public let since: AuditTimestamp?

        /// A builder counting records from `since` on (all without it).
        public init(since: AuditTimestamp? = nil) { self.since = since }

        /// Reads one line of a log: a JSON object is counted as a record (from ``since`` on, when
        /// it has a `time`), anything else as a line skipped.
        public mutating func add(line: [UInt8]) {
            guard let object = line.withUnsafeBytes({ try? JSONValue.parse($0) })?.objectValue else {
                skippedLines += 1
                return
            }
            if let since {
                guard let time = object[AuditRecord.Field.time]?.stringValue.flatMap(AuditTimestamp.init(rfc3339:)), !(time < since) else { return }
            }
            add(object)
        }

        /// Counts one record.
        public mutating func add(_ fields: JSONObject) {
            records += 1
            let record = AuditRecord(fields)
            review.add(record)
            let event = record.string(AuditRecord.Field.event)
            if event != nil { events += 1 }
            let isDecision = event == AuditRecord.Event.decision.rawValue
            guard isDecision || event == AuditRecord.Event.outcome.rawValue, let tool = record.string(AuditRecord.Field.tool) else { return }
            if isDecision { decisions += 1 }
            let server = record.string(AuditRecord.Field.server)
            rows[Array((server ?? "").utf8) + [0] + Array(tool.utf8), default: Row(server: server, tool: tool)].add(record)
            totals.add(record)
        }

        /// The summary of what was added, `skippedLines` more lines skipped.
        public func summary(skippedLines extra: Int = 0) -> AuditSummary {
            AuditSummary(rows: rows.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value), totals: totals, records: records,
                         decisions: decisions, skippedLines: skippedLines + extra, events: events, since: since, review: review)
        }
    }

    /// Summarizes records; `skippedLines` is carried into the result.
    public init(records: [JSONObject], skippedLines: Int = 0) {
        var builder = Builder()
        for record in records { builder.add(record) }
        self = builder.summary(skippedLines: skippedLines)
    }

    /// Summarizes file contents (any order; lines that are not JSON objects are skipped and
    /// counted), only records from `since` on when given.
    public init(sources: [AuditVerifier.Source], since: AuditTimestamp? = nil) {
        var builder = Builder(since: since)
        for source in sources { AuditReview.forEachLine(in: source.bytes) { line, _ in builder.add(line: line) } }
        self = builder.summary()
    }

    /// Summarizes audit files (any order; lines that are not JSON objects are skipped and counted).
    public static func read(files paths: [String]) throws(FileError) -> AuditSummary {
        var sources: [AuditVerifier.Source] = []
        for path in paths { sources.append(AuditVerifier.Source(name: path, bytes: try FileIO.read(path))) }
        return AuditSummary(sources: sources)
    }
}

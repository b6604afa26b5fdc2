/// Audit checkpoints as an `ExportLogsServiceRequest`.
extension OTLPWriter {
    /// `SeverityNumber.SEVERITY_NUMBER_INFO`.
    static let severityInfo = 9

    /// Appends the request holding one log record per checkpoint of `log` (at least one).
    mutating func checkpoints(_ checkpoints: [(checkpoint: AuditCheckpoint, time: Int64)], log: String, resource: [OTLPAttribute], scope: TelemetryScope) {
        raw(#"{"resourceLogs":["#)
        openResource(resource, list: "scopeLogs", scope: scope)
        raw(#""logRecords":["#)
        for (index, entry) in checkpoints.enumerated() {
            if index > 0 { raw(",") }
            raw(#"{"timeUnixNano":"#)
            int64(entry.time)
            raw(#","observedTimeUnixNano":"#)
            int64(entry.time)
            raw(#","severityNumber":"#)
            int(Self.severityInfo)
            raw(#","severityText":"INFO","body":{"stringValue":"#)
            string("audit checkpoint: seq \(entry.checkpoint.seq), hash \(entry.checkpoint.hash)")
            raw("}")
            attributes(Self.checkpointAttributes(entry.checkpoint, log: log))
            raw("}")
        }
        raw("]")
        closeResource()
        raw("]}")
    }

    /// A checkpoint's attributes: enough to check a log against it later.
    static func checkpointAttributes(_ checkpoint: AuditCheckpoint, log: String) -> [OTLPAttribute] {
        var attributes = [
            OTLPAttribute("event.name", "tollgate.audit.checkpoint"),
            OTLPAttribute("tollgate.audit.log", log),
            OTLPAttribute("tollgate.audit.seq", .int(Int64(checkpoint.seq))),
            OTLPAttribute("tollgate.audit.hash", checkpoint.hash),
            OTLPAttribute("tollgate.audit.run", checkpoint.run),
            OTLPAttribute("tollgate.audit.time", checkpoint.time),
        ]
        if let mac = checkpoint.mac { attributes.append(OTLPAttribute("tollgate.audit.mac", mac)) }
        return attributes
    }
}

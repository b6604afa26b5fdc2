/// Where a sandbox's proxy reports its connections: each one allowed or refused goes to the audit
/// trail (when the manifest has one) as a `network` record; refusals also to stderr.
struct NetworkRecorder: Sendable {
    /// The server's name in records and messages.
    let server: String?
    let audit: AuditLog?
    let diagnostics: Diagnostics

    /// Records an allowed connection before any byte goes through it; throws when the record
    /// cannot be written (the connection is then refused: no connection goes unrecorded).
    func allowed(method: String, target: String, entry: HostPortPattern, address: String) throws(AuditError) {
        _ = try audit?.append(AuditRecord.network(server: server, method: method, target: target, decision: .allowed,
                                                  entry: entry.written, address: address, reason: nil))
    }

    /// Records a refused connection (and says so on stderr).
    func refused(method: String?, target: String?, reason: String) {
        diagnostics.report("sandbox\(server.map { " of \($0)" } ?? ""): refused \(method ?? "a request")\(target.map { " \($0)" } ?? ""): \(reason)",
                           level: .info)
        do throws(AuditError) {
            _ = try audit?.append(AuditRecord.network(server: server, method: method, target: target, decision: .denied,
                                                      entry: nil, address: nil, reason: reason))
        } catch {
            diagnostics.report("audit: cannot record a refused connection: \(error)")
        }
    }
}

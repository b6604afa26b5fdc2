/// The records of sandboxes: the proxy's connections, and a server that ran unsandboxed.
extension AuditRecord {
    /// A `network` record: a connection a sandboxed server asked its proxy for (`method`,
    /// `target` as asked, `decision` allowed or denied), with the `allowHosts` `entry` that
    /// allowed it and the `address` connected to, or the `reason` it was refused.
    public static func network(server: String?, method: String?, target: String?, decision: Decision, entry: String?, address: String?,
                               reason: String?) -> AuditRecord {
        var record = AuditRecord(event: .network)
        record[Field.server] = server.map(JSONValue.string)
        record["method"] = method.map(JSONValue.string)
        record["target"] = target.map(JSONValue.string)
        record[Field.decision] = .string(decision.rawValue)
        record["entry"] = entry.map(JSONValue.string)
        record["address"] = address.map(JSONValue.string)
        record[Field.reason] = reason.map(JSONValue.string)
        return record
    }

    /// A `sandbox` record: a server whose sandbox is not `required` ran without it (`result:
    /// "unsandboxed"`), and why.
    public static func unsandboxed(server: String?, reason: String) -> AuditRecord {
        var record = AuditRecord(event: .sandbox)
        record[Field.server] = server.map(JSONValue.string)
        record["result"] = "unsandboxed"
        record[Field.reason] = .string(reason)
        return record
    }
}

/// What changes when a message crosses from one MCP era to the other (``ProtocolEra``): a
/// 2026-07-28 request carries its version, capabilities and client in
/// `params._meta["io.modelcontextprotocol/…"]`, and its result carries `resultType` (and, for
/// cacheable results, `ttlMs` and `cacheScope`); a 2025-era session has none of them.
///
/// Pure functions over values and raw bytes, no session state: the aggregating gate decides who
/// speaks which era and calls these at the border. Raw results are rewritten only when a member
/// must be added or removed; otherwise the caller keeps the original bytes.
public enum EraTranslation {
    /// The stateless versions Tollgate speaks.
    public static let statelessVersions = [ProtocolEra.firstStatelessVersion]
    /// The stateless version Tollgate speaks to a server on a client's behalf.
    public static var statelessVersion: String { statelessVersions[statelessVersions.count - 1] }

    /// The `_meta` key of a stateless request's client capabilities (required).
    public static let clientCapabilitiesKey = "io.modelcontextprotocol/clientCapabilities"
    /// The `_meta` key of a stateless request's client identity (optional).
    public static let clientInfoKey = "io.modelcontextprotocol/clientInfo"
    /// The `_meta` key of a stateless request's log level (optional).
    public static let logLevelKey = "io.modelcontextprotocol/logLevel"
    /// The `_meta` key of a stateless result's server identity (optional).
    public static let serverInfoKey = "io.modelcontextprotocol/serverInfo"

    /// The per-request protocol fields of a stateless request, which a 2025-era server must not see.
    public static let requestEnvelopeKeys: Set<ProtocolName> = [
        ProtocolName(ProtocolEra.versionMetaKey), ProtocolName(clientCapabilitiesKey), ProtocolName(clientInfoKey), ProtocolName(logLevelKey),
    ]
    /// The result members only the stateless era has.
    public static let statelessResultMembers: Set<ProtocolName> = ["resultType", "ttlMs", "cacheScope"]
    /// The methods whose complete results carry caching hints (`ttlMs`, `cacheScope`) in 2026-07-28.
    public static let cacheableMethods: Set<ProtocolName> = [
        "server/discover", "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read",
    ]
    /// The caching hints Tollgate gives: stale at once (its children's lists change without notice
    /// to a stateless client) and private (lists are filtered by this gate's policy).
    public static let ttlMilliseconds = 0
    /// See ``ttlMilliseconds``.
    public static let cacheScope = "private"

    // MARK: - Requests

    /// Whether `params` carry a stateless request's version (the key alone decides, as in the
    /// official SDK: a bare `_meta` is not evidence, 2025-era requests carry `progressToken` there).
    public static func hasStatelessEnvelope(_ params: JSONObject?) -> Bool {
        params?["_meta"]?[ProtocolEra.versionMetaKey] != nil
    }

    /// Checks a stateless request's envelope: nil when Tollgate serves it, else the error the
    /// spec prescribes (-32602 for a missing required field, -32022 naming `supported` for a
    /// version Tollgate does not speak).
    public static func envelopeError(_ params: JSONObject?, supported: [String]) -> JSONRPCError? {
        guard case .object(let meta)? = params?["_meta"] else {
            return JSONRPCError(.invalidParams, "Invalid params: params._meta must carry \(ProtocolEra.versionMetaKey) and \(clientCapabilitiesKey)")
        }
        guard case .string(let version)? = meta[ProtocolEra.versionMetaKey] else {
            return JSONRPCError(.invalidParams, "Invalid params: params._meta.\(ProtocolEra.versionMetaKey) must be a string")
        }
        guard meta[clientCapabilitiesKey] != nil else {
            return JSONRPCError(.invalidParams, "Invalid params: params._meta is missing the required \(clientCapabilitiesKey)")
        }
        guard statelessVersions.contains(where: { $0.hasSameScalars(as: version) }) else {
            return unsupportedVersion(version, supported: supported)
        }
        return nil
    }

    /// The `UnsupportedProtocolVersionError` for `requested`.
    public static func unsupportedVersion(_ requested: String?, supported: [String]) -> JSONRPCError {
        var data = JSONObject()
        data["supported"] = .array(supported.map(JSONValue.string))
        if let requested { data["requested"] = .string(requested) }
        return JSONRPCError(.unsupportedProtocolVersion, "Unsupported protocol version", data: .object(data))
    }

    /// The `_meta` entries Tollgate puts on a stateless request it sends on its own account or for
    /// a 2025-era client.
    public static func envelope(capabilities: JSONObject = JSONObject(), clientInfo: JSONValue?) -> JSONObject {
        var meta = JSONObject()
        meta[ProtocolEra.versionMetaKey] = .string(statelessVersion)
        meta[clientCapabilitiesKey] = .object(capabilities)
        if let clientInfo { meta[clientInfoKey] = clientInfo }
        return meta
    }

    /// A request's params as a server of era `era` must read them: for a 2025-era server without
    /// the stateless envelope (an emptied `_meta` goes too); for a stateless server with
    /// `envelope`'s entries where the request has none of its own. Nil params stay nil for a
    /// 2025-era server.
    public static func params(_ params: JSONObject?, for era: ProtocolEra, envelope: JSONObject) -> JSONObject? {
        switch era {
        case .session:
            guard var params, case .object(var meta)? = params["_meta"],
                meta.keys.contains(where: { requestEnvelopeKeys.contains(ProtocolName($0)) }) else { return params }
            for key in requestEnvelopeKeys { meta[key.text] = nil }
            params["_meta"] = meta.count == 0 ? nil : .object(meta)
            return params
        case .stateless:
            var params = params ?? JSONObject()
            var meta = params["_meta"]?.objectValue ?? JSONObject()
            for member in envelope.members where meta[member.key] == nil { meta[member.key] = member.value }
            params["_meta"] = .object(meta)
            return params
        }
    }

    // MARK: - Results built by Tollgate

    /// A result Tollgate built, for a stateless client: `resultType: "complete"` and, for a
    /// cacheable `method`, the caching hints, each unless already there.
    public static func statelessResult(_ result: JSONObject, method: String) -> JSONObject {
        var result = result
        if result["resultType"] == nil { result["resultType"] = "complete" }
        if cacheableMethods.contains(ProtocolName(method)) {
            if result["ttlMs"] == nil { result["ttlMs"] = .number(String(ttlMilliseconds)) }
            if result["cacheScope"] == nil { result["cacheScope"] = .string(cacheScope) }
        }
        return result
    }

    // MARK: - Raw results of servers

    /// How a server's raw result reaches a 2025-era client.
    public enum SessionResult: Sendable, Equatable {
        /// As it is (no stateless member in it).
        case unchanged
        /// Rewritten without the stateless members (the other members' bytes as they were).
        case rewritten([UInt8])
        /// An interim `input_required` result, which a 2025-era client cannot act on.
        case inputRequired
    }

    /// A stateless server's raw `result` object for a 2025-era client: `resultType`, `ttlMs` and
    /// `cacheScope` removed. Bytes that are not an object stay unchanged.
    public static func sessionResult(_ raw: UnsafeRawBufferPointer, maxDepth: Int = JSONScanner.defaultMaxDepth) -> SessionResult {
        guard let members = topLevelMembers(raw, maxDepth: maxDepth),
            members.contains(where: { statelessResultMembers.contains(ProtocolName($0.key)) }) else { return .unchanged }
        if let type = members.first(where: { $0.key.hasSameScalars(as: "resultType") }),
            (try? JSONValue.parse(UnsafeRawBufferPointer(rebasing: raw[type.value]), maxDepth: 1)) == "input_required" {
            return .inputRequired
        }
        return .rewritten(object(added: nil, kept: members.filter { !statelessResultMembers.contains(ProtocolName($0.key)) }, from: raw))
    }

    /// A 2025-era server's raw `result` object (the answer to `method`) for a stateless client:
    /// `resultType: "complete"` and, for a cacheable method, the caching hints added in front, each
    /// unless already there. Nil when nothing is missing (or the bytes are not an object): the
    /// caller keeps the original bytes.
    public static func statelessResult(_ raw: UnsafeRawBufferPointer, method: String?, maxDepth: Int = JSONScanner.defaultMaxDepth) -> [UInt8]? {
        guard let members = topLevelMembers(raw, maxDepth: maxDepth) else { return nil }
        var added = JSONObject()
        let present = Set(members.map { ProtocolName($0.key) })
        if !present.contains("resultType") { added["resultType"] = "complete" }
        if let method, cacheableMethods.contains(ProtocolName(method)) {
            if !present.contains("ttlMs") { added["ttlMs"] = .number(String(ttlMilliseconds)) }
            if !present.contains("cacheScope") { added["cacheScope"] = .string(cacheScope) }
        }
        guard added.count > 0 else { return nil }
        return object(added: added, kept: members, from: raw)
    }

    /// One top-level member of a raw object: its decoded key, the bytes from its key's opening
    /// quote to the end of its value, and its value's bytes.
    struct RawMember {
        var key: String
        var span: Range<Int>
        var value: Range<Int>
    }

    /// The top-level members of a raw JSON object, in order; nil when the bytes are not one valid object.
    static func topLevelMembers(_ raw: UnsafeRawBufferPointer, maxDepth: Int) -> [RawMember]? {
        var scanner = JSONScanner(raw, maxDepth: maxDepth)
        var members: [RawMember] = []
        do throws(JSONScanError) {
            try scanner.scanObject(depth: 1) { scanner, key throws(JSONScanError) in
                scanner.skipWhitespace()
                let start = scanner.position
                try scanner.skipValue(depth: 2)
                members.append(RawMember(key: scanner.decodeString(key), span: (key.content.lowerBound - 1)..<scanner.position,
                                         value: start..<scanner.position))
            }
            try scanner.expectEndOfDocument()
        } catch {
            return nil
        }
        return members
    }

    /// An object of `added`'s members followed by the `kept` members' original bytes.
    private static func object(added: JSONObject?, kept: [RawMember], from raw: UnsafeRawBufferPointer) -> [UInt8] {
        var writer = JSONWriter(capacity: raw.count + 64)
        writer.append("{")
        var first = true
        for member in added?.members ?? [] {
            if !first { writer.append(",") }
            first = false
            writer.write(string: member.key)
            writer.append(":")
            writer.write(member.value)
        }
        for member in kept {
            if !first { writer.append(",") }
            first = false
            writer.write(raw: UnsafeRawBufferPointer(rebasing: raw[member.span]))
        }
        writer.append("}")
        return writer.bytes
    }
}

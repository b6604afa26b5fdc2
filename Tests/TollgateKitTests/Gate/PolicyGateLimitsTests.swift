import Testing
@testable import TollgateKit

/// A `tools/list` result listing tools of these names, each with `schema` as its input schema.
private func listing(_ names: [String], schema: JSONValue = ["type": "object"]) -> JSONObject {
    ["tools": .array(names.map { ["name": .string($0), "inputSchema": schema] })]
}

/// The names a filtered listing keeps (nil: unchanged).
private func keptNames(_ result: JSONObject?) -> [String]? {
    result?["tools"]?.arrayValue?.compactMap { $0["name"]?.stringValue }
}

/// An object schema with `count` string properties `p0`, `p1`, … (about 40 bytes each).
private func bigSchema(_ count: Int) -> JSONValue {
    var properties = JSONObject()
    for index in 0..<count { properties["p\(index)"] = ["type": "string", "maxLength": 3] }
    return ["type": "object", "properties": .object(properties)]
}

@Suite("Policy gate: bounds on what it remembers of names")
struct PolicyGateLimitsTests {
    static let manifest = #"{"version": 1, "policy": {"default": "deny"}, "tools": {"echo": {}, "x*": {}, "d*": {"allow": false}}}"#

    @Test("the name cache holds at most cachedNames names of at most cachedNameBytes; the rest are decided each time, alike")
    func nameCache() throws {
        var gate = try policyGate(Self.manifest)
        gate.limits.cachedNames = 100
        for index in 0..<1000 {
            #expect(gate.denial(for: try call("d\(index)"))?.rule == "tools.d*")
            #expect(gate.denial(for: try call("x\(index)")) == nil)
        }
        #expect(gate.nameDecisions.count == 100)
        let long = "x" + String(repeating: "y", count: PeerLimits.standard.cachedNameBytes)
        var fresh = try policyGate(Self.manifest)
        #expect(fresh.denial(for: try call(long)) == nil)
        #expect(fresh.denial(for: try call("d" + long))?.rule == "tools.d*")
        #expect(fresh.nameDecisions.isEmpty, "names over \(PeerLimits.standard.cachedNameBytes) bytes are never cached")
        #expect(fresh.denial(for: try call("echo")) == nil && fresh.nameDecisions.count == 1)
    }

    @Test("a listed name over listedNameBytes is not offered, and calls to it are unknown_tool")
    func longListedName() throws {
        let log = LogSink()
        let manifest = try #require(try? parseManifest(#"{"version": 1, "policy": {"default": "allow"}}"#).get())
        var gate = PolicyGate(manifest: manifest, diagnostics: log.diagnostics, workingDirectory: "/tmp")
        let long = String(repeating: "t", count: PeerLimits.standard.listedNameBytes + 1)
        #expect(keptNames(gate.filterToolList(listing(["echo", long]))) == ["echo"])
        #expect(gate.denial(for: try call(long))?.code == .unknownTool)
        #expect(gate.denial(for: try call("echo")) == nil)
        #expect(gate.listedTools.count == 1)
        #expect(log.lines.contains { $0.contains("tools/list: left out 1 tool") }, "\(log.lines)")
    }

    @Test("past listedNames distinct names, new names are not offered; names already listed still are")
    func listedNames() throws {
        let manifest = try #require(try? parseManifest(#"{"version": 1, "policy": {"default": "allow"}}"#).get())
        var gate = PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp")
        gate.limits.listedNames = 5
        let first = (0..<8).map { "t\($0)" }
        #expect(keptNames(gate.filterToolList(listing(first))) == Array(first.prefix(5)))
        #expect(keptNames(gate.filterToolList(listing(["t1", "new", "t4"]))) == ["t1", "t4"])
        #expect(gate.listedTools.count == 5)
        #expect(gate.denial(for: try call("new"))?.code == .unknownTool)
        #expect(gate.denial(for: try call("t4")) == nil)
    }

    @Test("an inputSchema over schemaBytes is not compiled: reported once, calls are checked by the manifest only")
    func schemaSize() throws {
        let log = LogSink()
        let manifest = try #require(try? parseManifest(#"{"version": 1, "policy": {"default": "allow"}}"#).get())
        var gate = PolicyGate(manifest: manifest, diagnostics: log.diagnostics, workingDirectory: "/tmp")
        gate.limits.schemaBytes = 2000
        _ = gate.filterToolList(listing(["small"], schema: bigSchema(10)))
        _ = gate.filterToolList(listing(["large"], schema: bigSchema(100)))
        _ = gate.filterToolList(listing(["large"], schema: bigSchema(100)))
        #expect(gate.inputSchemas.count == 1 && gate.inputSchemas[ProtocolName("small")] != nil)
        #expect(gate.denial(for: try call("small", ["p0": "long"]))?.code == .argumentsRejected)
        #expect(gate.denial(for: try call("large", ["p0": "long"])) == nil, "not checked: the manifest allows it")
        #expect(log.lines.filter { $0.contains("tool large: its inputSchema is not checked (it is over 1 KiB)") }.count == 1, "\(log.lines)")
    }

    @Test("the input schemas together stay within schemaTotalBytes; a new listing of a tool frees its old schema's share")
    func schemaTotal() throws {
        let manifest = try #require(try? parseManifest(#"{"version": 1, "policy": {"default": "allow"}}"#).get())
        var gate = PolicyGate(manifest: manifest, diagnostics: .silent, workingDirectory: "/tmp")
        let one = bigSchema(20).approximateSize(limit: .max)
        gate.limits.schemaTotalBytes = one * 3 + 100
        _ = gate.filterToolList(listing(["a", "b", "c", "d"], schema: bigSchema(20)))
        #expect(gate.inputSchemas.count == 3 && gate.inputSchemaBytes == one * 3)
        #expect(gate.inputSchemas[ProtocolName("d")] == nil)
        // Listed again with a small schema, "a" leaves room for "d".
        _ = gate.filterToolList(listing(["a"], schema: ["type": "object"]))
        _ = gate.filterToolList(listing(["d"], schema: bigSchema(20)))
        #expect(gate.inputSchemas.count == 4 && gate.inputSchemaBytes <= one * 3 + 100)
    }

    @Test("reports made once are kept as hashes, at most reportedOnce of them; when full the memory starts over")
    func reportedOnce() {
        var reported = ReportedOnce(capacity: 3)
        #expect(reported.insert("a") && !reported.insert("a"))
        let long = reported.insert(String(repeating: "x", count: 1 << 20))
        #expect(long, "any length costs 8 bytes")
        #expect(reported.insert("b") && reported.count == 3)
        #expect(reported.insert("c") && reported.count == 1, "full: it started over")
        let again = reported.insert("a")
        #expect(again, "so a problem may be reported again")
    }

    @Test("a pinned definition over pinnedDefinitionBytes is kept by its digest: a change is still caught, unnamed")
    func largePinnedDefinition() throws {
        let description = String(repeating: "d", count: PeerLimits.standard.pinnedDefinitionBytes)
        let original: JSONObject = ["name": "echo", "description": .string(description)]
        let pin = ToolPin(of: original)
        #expect(PinCheck.Listed(original).pinned == nil && PinCheck.Listed(original).pin == pin)
        var gate = try policyGate(#"{"version": 1, "tools": {"echo": {"pin": "\#(pin)"}}}"#)
        #expect(gate.filterToolList(["tools": [.object(original)]]) == nil)
        var changed = original
        changed["description"] = .string(description + "!")
        #expect(keptNames(gate.filterToolList(["tools": [.object(changed)]])) == [])
        let denial = try #require(gate.denial(for: try call("echo")))
        #expect(denial.code == .toolChanged && denial.details["changed"] == [], "which part changed is not known: \(denial.reason)")
        // A small definition is kept, so the change is named.
        let small: JSONObject = ["name": "echo", "description": "Echoes."]
        var named = try policyGate(#"{"version": 1, "tools": {"echo": {"pin": "\#(ToolPin(of: small))"}}}"#)
        _ = named.filterToolList(["tools": [.object(small)]])
        _ = named.filterToolList(["tools": [["name": "echo", "description": "Mails."]]])
        #expect(named.denial(for: try call("echo"))?.details["changed"] == ["description"])
    }
}

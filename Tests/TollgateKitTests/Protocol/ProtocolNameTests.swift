import Testing
@testable import TollgateKit

/// Names that decide or route are compared by bytes: U+212A KELVIN SIGN is canonically
/// equivalent to "K" for Swift's `String ==`, hashing and `hasPrefix`, never for Tollgate.
@Suite("Protocol names compare by bytes")
struct ProtocolNameTests {
    static let kelvin = "\u{212A}"

    @Test("ProtocolName, JSONValue and JSONObject keys tell K from KELVIN SIGN (and é from e + U+0301)")
    func values() {
        #expect(Self.kelvin == "K", "the premise: Swift's String == folds them")
        #expect(ProtocolName(Self.kelvin) != ProtocolName("K"))
        #expect(Set<ProtocolName>([ProtocolName(Self.kelvin), "K", "\u{E9}", "e\u{301}"]).count == 4)
        #expect(JSONValue.string(Self.kelvin) != .string("K"))
        #expect(JSONValue.string("\u{E9}") != .string("e\u{301}"))
        let object: JSONObject = [Self.kelvin: 1]
        #expect(object["K"] == nil && object[Self.kelvin] == 1)
        var edited = object
        edited["K"] = 2
        #expect(edited.count == 2, "setting K adds a member; it does not overwrite KELVIN SIGN's")
        #expect(JSONValue.object([Self.kelvin: 1]) != .object(["K": 1]))
        #expect(ProtocolName("Kube__echo").hasBytePrefix("Kube__") && !ProtocolName(Self.kelvin + "ube__echo").hasBytePrefix("Kube__"))
    }

    @Test("a prefixed name routes only when its prefix is the server's name byte for byte")
    func namespaceRouting() {
        let space = ToolNamespace(servers: [.init(name: "Kube"), .init(name: "other", prefixed: false)])
        #expect(space.splitPrefixed(Self.kelvin + "ube__echo") == nil)
        #expect(space.splitPrefixed("Kube__echo")! == (0, "echo"))
        let union = space.union([[["name": "echo"]], [["name": "K"], ["name": .string(Self.kelvin)]]])
        #expect(union.collisions.isEmpty, "K and KELVIN SIGN are two tools, not one listed twice")
        #expect(space.route(Self.kelvin + "ube__echo", in: union) == nil)
        #expect(space.route(Self.kelvin, in: union)! == (1, Self.kelvin))
        #expect(space.route("K", in: union)! == (1, "K"))
    }

    @Test("URI schemes are ASCII only and lowered in ASCII: KELVIN SIGN is not k")
    func schemes() {
        #expect(HostSession.scheme("KUBE:pods") == "kube")
        #expect(HostSession.scheme(Self.kelvin + "ube:pods") == nil)
        #expect(HostSession.scheme("file:///x") == "file")
        #expect(HostSession.scheme("a+b-c.d:x") == "a+b-c.d")
        #expect(HostSession.scheme("1a:x") == nil && HostSession.scheme(":x") == nil && HostSession.scheme("nocolon") == nil)
        #expect(HostSession.scheme("\u{0131}:x") == nil, "dotless i is a letter for Swift, not for RFC 3986")
    }

    @Test("a call to KELVIN SIGN + ube__echo never reaches server Kube, whose echo the gate denies")
    func hostRouting() throws {
        var session = try HostSession.ready(["Kube", "b"], tools: [["echo"], ["x"]], gate: DenyingGate(denying: "Kube__echo"))
        let denied = try HostLine.one(session.client(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"Kube__echo"}}"#).toClient)
        #expect(denied["result"]?["isError"] == true)
        let sneaky = session.client(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"\u212Aube__echo"}}"#)
        #expect(sneaky.toChildren.isEmpty, "nothing may reach any server")
        #expect(try HostLine.one(sneaky.toClient)["error"]?["code"] == -32602)
    }

    @Test("resources route by the URI's exact bytes; a prompt name by its exact bytes")
    func catalogRouting() throws {
        var session = try HostSession.ready(["Kube", "b"], tools: [["echo"], ["x"]])
        session.children[0].catalogs[.resources] = [["uri": "kube://pods", "name": "pods"]]
        session.children[0].catalogs[.prompts] = [["name": "Kill"]]
        #expect(session.resourceOwner(of: "kube://pods") == 0)
        #expect(session.resourceOwner(of: Self.kelvin + "ube://pods") == nil)
        #expect(session.promptRoutes()[ProtocolName("Kube__Kill")]?.child == 0)
        #expect(session.promptRoutes()[ProtocolName("Kube__" + Self.kelvin + "ill")] == nil)
        let read = session.client(#"{"jsonrpc":"2.0","id":3,"method":"resources/read","params":{"uri":"\u212Aube://pods"}}"#)
        #expect(read.toChildren.isEmpty)
        #expect(try HostLine.one(read.toClient)["error"] != nil)
    }

    @Test("the stateless envelope keys and result members are matched by bytes")
    func eraTranslation() {
        let lookalike = "io.modelcontextprotocol/protocolVersion"
        let params: JSONObject = ["_meta": .object([lookalike: "2026-07-28", "x\u{212A}": 1])]
        let stripped = EraTranslation.params(params, for: .session, envelope: [:])
        #expect(stripped?["_meta"]?.objectValue?.keys == ["x\u{212A}"])
    }
}

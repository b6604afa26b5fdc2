import Testing
@testable import TollgateKit

@Suite("ToolNamespace")
struct ToolNamespaceTests {
    private func tools(_ names: String...) -> [JSONObject] {
        names.map { ["name": .string($0), "description": .string("d-\($0)")] }
    }

    @Test("prefixed names join with the separator and split back to server and original name")
    func prefixed() {
        let space = ToolNamespace(servers: [.init(name: "git"), .init(name: "time-2")], separator: "__")
        #expect(space.exposedName(server: 1, tool: "get__now") == "time-2__get__now")
        #expect(space.splitPrefixed("time-2__get__now")! == (1, "get__now"))
        #expect(space.splitPrefixed("git__") == nil)
        #expect(space.splitPrefixed("gitx__status") == nil)
        #expect(space.splitPrefixed("status") == nil)
        let dotted = ToolNamespace(servers: [.init(name: "a")], separator: ".")
        #expect(dotted.splitPrefixed("a.b")! == (0, "b"))
    }

    @Test("the union renames, keeps order and routes; unprefixed names route by listing only")
    func union() {
        let space = ToolNamespace(servers: [.init(name: "one"), .init(name: "two", prefixed: false)])
        let union = space.union([tools("echo", "add"), tools("echo", "sleep")])
        #expect(union.tools.map { $0["name"]!.stringValue! } == ["one__echo", "one__add", "echo", "sleep"])
        #expect(union.tools[0]["description"] == "d-echo")
        #expect(union.routes["echo"] == ToolUnion.Route(server: 1, tool: "echo"))
        #expect(union.routes["one__add"] == ToolUnion.Route(server: 0, tool: "add"))
        #expect(union.problems.isEmpty)
        #expect(space.splitPrefixed("two__echo") == nil, "an unprefixed server has no prefix")
    }

    @Test("a name two servers would expose is offered by neither and reported")
    func collisions() {
        let space = ToolNamespace(servers: [.init(name: "a", prefixed: false), .init(name: "b", prefixed: false), .init(name: "c")])
        let union = space.union([tools("x", "c__y"), tools("x", "z"), tools("y")])
        #expect(union.tools.map { $0["name"]!.stringValue! } == ["z"])
        #expect(union.collisions == ["x", "c__y"])
        #expect(union.routes["x"] == nil && union.routes["c__y"] == nil)
        #expect(union.problems.count == 2)
    }

    @Test("a server that is not listed contributes nothing; a nameless tool is reported")
    func missing() {
        let space = ToolNamespace(servers: [.init(name: "a"), .init(name: "b")])
        let union = space.union([nil, [["description": "no name"]]])
        #expect(union.tools.isEmpty && union.problems.count == 1)
    }
}

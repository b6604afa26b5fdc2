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
        #expect(union.route("echo") == ToolUnion.Route(server: 1, tool: "echo"))
        #expect(union.route("one__add") == ToolUnion.Route(server: 0, tool: "add"))
        #expect(union.problems.isEmpty)
        #expect(space.splitPrefixed("two__echo") == nil, "an unprefixed server has no prefix")
    }

    @Test("a name two servers would expose is offered by neither and reported")
    func collisions() {
        let space = ToolNamespace(servers: [.init(name: "a", prefixed: false), .init(name: "b", prefixed: false), .init(name: "c")])
        let union = space.union([tools("x", "c__y"), tools("x", "z"), tools("y")])
        #expect(union.tools.map { $0["name"]!.stringValue! } == ["z"])
        #expect(union.collides("x") && union.collides("c__y") && !union.collides("z"))
        #expect(union.route("x") == nil && union.route("c__y") == nil)
        #expect(union.problems.count == 2)
        #expect(union.listedTwice.isEmpty, "two servers offering a name is a clash, not a name listed twice")
    }

    @Test("a name one server lists twice is offered by no one, routed nowhere and named for the gate, however often it comes")
    func listedTwice() {
        let space = ToolNamespace(servers: [.init(name: "a"), .init(name: "b", prefixed: false)])
        let union = space.union([tools("echo", "add", "echo", "echo"), tools("x", "y", "x")])
        #expect(union.tools.map { $0["name"]!.stringValue! } == ["a__add", "y"])
        #expect(union.listedTwice == ["a__echo", "x"])
        #expect(union.route("a__echo") == nil && union.collides("a__echo") && union.route("x") == nil)
        #expect(union.problems.count == 2, "reported once per name")
        #expect(space.union([tools("echo", "echo")]) == space.union([tools("echo", "echo")]), "the union is a pure function")
    }

    @Test("names are compared by their bytes: canonically equivalent names are different tools")
    func bytes() {
        let space = ToolNamespace(servers: [.init(name: "a", prefixed: false)])
        let union = space.union([tools("caf\u{e9}", "cafe\u{301}", "\u{212A}elvin", "Kelvin")])
        #expect(union.tools.count == 4 && union.listedTwice.isEmpty && union.problems.isEmpty)
        #expect(union.route("cafe\u{301}") == ToolUnion.Route(server: 0, tool: "cafe\u{301}"))
        #expect(union.route("\u{212A}elvin")?.tool.utf8.first == 0xE2)
        let prefixed = ToolNamespace(servers: [.init(name: "K")])
        #expect(prefixed.splitPrefixed("\u{212A}__tool") == nil, "the Kelvin sign is not K")
        #expect(prefixed.splitPrefixed("K__t\u{e9}")! == (0, "t\u{e9}"))
    }

    @Test("a server that is not listed contributes nothing; a nameless tool is reported")
    func missing() {
        let space = ToolNamespace(servers: [.init(name: "a"), .init(name: "b")])
        let union = space.union([nil, [["description": "no name"]]])
        #expect(union.tools.isEmpty && union.problems.count == 1)
    }
}

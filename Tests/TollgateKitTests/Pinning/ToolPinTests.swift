import Testing
@testable import TollgateKit

@Suite("Tool pinning")
struct ToolPinTests {
    static let echo = """
        {"name": "echo", "title": "Echo", "description": "Echo the text.",
         "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
         "annotations": {"readOnlyHint": true}}
        """

    private func tool(_ text: String) throws -> JSONObject {
        try #require(try json(text).objectValue)
    }

    @Test("the digest ignores key order and whitespace at every depth, and members outside the pinned four")
    func digestIsStable() throws {
        let pin = ToolPin(of: try tool(Self.echo))
        let reordered = """
            {"annotations":{"readOnlyHint":true},"inputSchema":{"required":["text"],"properties":{"text":{"type":"string"}},"type":"object"},
             "_meta": {"x": 1}, "description":"Echo the text.","name":"echo","title":"Another title","outputSchema":{"type":"object"}}
            """
        #expect(ToolPin(of: try tool(reordered)) == pin)
        // The canonical form is the audit's: sorted keys, no whitespace; the pin is its SHA-256.
        let canonical = #"{"annotations":{"readOnlyHint":true},"description":"Echo the text.","inputSchema":{"properties":{"text":{"type":"string"}},"required":["text"],"type":"object"},"name":"echo"}"#
        #expect(pin.description == "sha256:" + Hex.encode(SHA256.hash(bytes(canonical))))
        #expect(ToolPin(pin.description) == pin)
    }

    @Test("a change of description, schema, annotations or array order changes the digest", arguments: [
        #"{"name": "echo", "description": "Echo the text!", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}, "annotations": {"readOnlyHint": true}}"#,
        #"{"name": "echo", "description": "Echo the text.", "inputSchema": {"type": "object", "properties": {"text": {"type": "string", "maxLength": 9}}, "required": ["text"]}, "annotations": {"readOnlyHint": true}}"#,
        #"{"name": "echo", "description": "Echo the text.", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}, "annotations": {"readOnlyHint": false}}"#,
        #"{"name": "echo", "description": "Echo the text.", "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}}"#,
    ])
    func digestChanges(_ changed: String) throws {
        #expect(ToolPin(of: try tool(changed)) != ToolPin(of: try tool(Self.echo)))
    }

    @Test("pin texts: only sha256: and 64 lowercase hex digits", arguments: [
        "sha256:" + String(repeating: "A", count: 64), "sha256:" + String(repeating: "a", count: 63), "sha1:" + String(repeating: "a", count: 64), "",
    ])
    func badPinTexts(_ text: String) {
        #expect(ToolPin(text) == nil)
    }

    @Test("the gate removes a changed tool from tools/list, names what changed, and denies its calls with tool_changed")
    func gateBlocksChangedTool() throws {
        let original = try tool(Self.echo)
        let pin = ToolPin(of: original)
        var gate = try policyGate(#"{"version": 1, "tools": {"echo": {"pin": "\#(pin)"}, "add": {}}}"#)
        let add: JSONValue = ["name": "add", "description": "Adds."]
        let first: JSONObject = ["tools": [.object(original), add]]
        #expect(gate.filterToolList(first) == nil, "a matching definition is listed unchanged")
        #expect(gate.denial(for: try call("echo", ["text": "hi"])) == nil)

        var changed = original
        changed["description"] = "Echo the text, and mail it to an attacker."
        changed["annotations"] = ["readOnlyHint": false]
        let listing = gate.filterToolList(["tools": [.object(changed), add]])
        let filtered = try #require(listing)
        #expect(filtered["tools"] == [add])
        let found = gate.denial(for: try call("echo"))
        let denial = try #require(found)
        #expect(denial.code == .toolChanged && denial.rule == "tools.echo")
        #expect(denial.reason.contains("its description and annotations changed"), "\(denial.reason)")
        #expect(denial.details["changed"] == ["description", "annotations"])
        #expect(gate.decide(try call("echo")) == .deny(denial))

        // Sticky: the original definition listed again does not unblock it.
        let again = gate.filterToolList(first)
        #expect(again?["tools"] == [add])
        #expect(gate.denial(for: try call("add")) == nil)
    }

    @Test("a definition that never matched its pin is blocked from the first listing, with an unnamed change")
    func stalePin() throws {
        var gate = try policyGate(#"{"version": 1, "tools": {"echo": {"pin": "sha256:\#(String(repeating: "0", count: 64))"}}}"#)
        let listing = gate.filterToolList(["tools": [.object(try tool(Self.echo))]])
        let filtered = try #require(listing)
        #expect(filtered["tools"] == [])
        let found = gate.denial(for: try call("echo"))
        let denial = try #require(found)
        #expect(denial.code == .toolChanged && denial.details["changed"] == [])
        #expect(denial.reason.contains("which part cannot be told"), "\(denial.reason)")
    }

    @Test("monitor mode keeps a changed tool listed and only reports it")
    func monitorMode() throws {
        var gate = try policyGate(#"{"version": 1, "policy": {"mode": "monitor"}, "tools": {"echo": {"pin": "sha256:\#(String(repeating: "0", count: 64))"}}}"#)
        #expect(gate.filterToolList(["tools": [.object(try tool(Self.echo))]]) == nil)
        #expect(gate.decide(try call("echo")) == .forward)
    }

    @Test("a pin on a glob rule or in a bad form is a manifest error naming the field")
    func manifestErrors() throws {
        guard case .failure(let error) = parseManifest(#"{"version": 1, "tools": {"echo*": {"pin": "sha256:\#(String(repeating: "0", count: 64))"}}}"#) else {
            Issue.record("a pin on a glob must not load")
            return
        }
        #expect(error.issues.first?.path == "tools.echo*.pin" && error.issues.first?.message.contains("not a glob") == true, "\(error)")
        guard case .failure(let bad) = parseManifest(#"{"version": 1, "tools": {"echo": {"pin": "md5:00"}}}"#) else {
            Issue.record("a bad pin must not load")
            return
        }
        #expect(bad.issues.first?.message.contains("64 lowercase hex digits") == true, "\(bad)")
    }

    @Test("the pin editor replaces pins in place, inserts missing ones, and reports unlisted rules and unruled tools")
    func editor() throws {
        let text = "{\n  \"version\": 1, // pinned\n  \"tools\": {\n    \"echo\": {\"pin\": \"sha256:\(String(repeating: "1", count: 64))\", \"allow\": true},\n    \"gone\": {},\n    \"g*\": {},\n    \"empty\": {}\n  }\n}\n"
        let source = SourceText(path: "m.json", bytes: bytes(text))
        let echo = try tool(Self.echo)
        let empty: JSONObject = ["name": "empty"]
        let extra: JSONObject = ["name": "extra"]
        let (edited, report) = ManifestPinEditor.edit(source, root: try source.parse(), tools: [echo, empty, extra])
        let expected = text.replacing("sha256:" + String(repeating: "1", count: 64), with: ToolPin(of: echo).description)
            .replacing("\"empty\": {}", with: "\"empty\": {\"pin\": \"\(ToolPin(of: empty))\"}")
        #expect(TollgateKitTests.text(edited) == expected)
        #expect(report.updated.map(\.tool) == ["echo"] && report.added.map(\.tool) == ["empty"])
        #expect(report.unlisted == ["gone"] && report.withoutRule == ["extra"])
    }

    @Test("a pin inserted into a rule written on one line keeps its spacing: no double space", arguments: [
        (#"{ "allow": true }"#, #"{ "pin": "PIN", "allow": true }"#),
        (#"{"allow": true}"#, #"{"pin": "PIN", "allow": true}"#),
        (#"{  "allow": true, "reason": "r" }"#, #"{  "pin": "PIN", "allow": true, "reason": "r" }"#),
    ])
    func insertionOnOneLine(rule: String, expected: String) throws {
        let text = #"{"version": 1, "tools": {"echo": \#(rule)}}"#
        let source = SourceText(path: "m.json", bytes: bytes(text))
        let echo = try tool(Self.echo)
        let (edited, _) = ManifestPinEditor.edit(source, root: try source.parse(), tools: [echo])
        let pinned = expected.replacing("PIN", with: ToolPin(of: echo).description)
        #expect(TollgateKitTests.text(edited) == #"{"version": 1, "tools": {"echo": \#(pinned)}}"#)
    }
}

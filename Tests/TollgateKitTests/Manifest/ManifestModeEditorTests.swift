import Testing
@testable import TollgateKit

/// `tollgate enforce` changes the mode's string and nothing else.
@Suite("Manifest mode editor")
struct ManifestModeEditorTests {
    @Test("policy.mode is replaced in place; comments and layout stay")
    func replacesMode() throws {
        let text = """
            // reviewed
            {"version": 1, "policy": { "default": "deny",   "mode" : "monitor" }, "tools": {"mode": "x"}}
            """
        let source = SourceText(path: "m.json", bytes: Array(text.utf8))
        let edited = ManifestModeEditor.setting(.enforce, in: source, root: try source.parse())
        #expect(edited.map { String(decoding: $0, as: UTF8.self) } == text.replacingFirstMonitor())
    }

    @Test("a manifest without policy.mode is left to the caller (nil)")
    func noMode() throws {
        for text in [#"{"version": 1}"#, #"{"policy": {"default": "deny"}}"#, #"{"policy": {"mode": 3}}"#] {
            let source = SourceText(path: "m.json", bytes: Array(text.utf8))
            #expect(ManifestModeEditor.setting(.enforce, in: source, root: try source.parse()) == nil, "\(text)")
        }
    }
}

private extension String {
    func replacingFirstMonitor() -> String {
        var bytes = Array(utf8)
        let pattern = Array(#""monitor""#.utf8)
        for start in 0...(bytes.count - pattern.count) where Array(bytes[start..<start + pattern.count]) == pattern {
            bytes.replaceSubrange(start..<start + pattern.count, with: Array(#""enforce""#.utf8))
            break
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

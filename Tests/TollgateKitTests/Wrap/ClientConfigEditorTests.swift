import Testing
@testable import TollgateKit

private func parsed(_ text: String) throws -> ([UInt8], SourceValue) {
    let source = SourceText(path: "config.json", bytes: Array(text.utf8))
    return (source.bytes, try source.parse())
}

private func wrapAll(_ text: String, tollgate: String = "/opt/bin/tollgate") throws -> String {
    let (bytes, root) = try parsed(text)
    let targets = ClientConfigEditor.entries(in: root).map { (path: $0.path, tollgate: tollgate, manifest: "/m/\($0.name).json") }
    return String(decoding: ClientConfigEditor.wrap(bytes, root: root, wrapping: targets), as: UTF8.self)
}

private func unwrapAll(_ text: String) throws -> (text: String, refused: [ClientConfigEditor.Refusal]) {
    let (bytes, root) = try parsed(text)
    let result = ClientConfigEditor.unwrap(bytes, root: root)
    return (String(decoding: result.bytes, as: UTF8.self), result.refused)
}

/// Wrapping edits only `command` and `args`, unwrapping restores them byte for byte, wrapping
/// twice changes nothing, and remote or odd entries are left alone.
@Suite("Client config editor")
struct ClientConfigEditorTests {
    static let claudeCode = """
        {
          "numStartups": 3,
          "mcpServers": {
            "git": {
              "type": "stdio",
              "command": "uvx",
              "args": [
                "mcp-server-git",  "--repository", "."
              ],
              "env": { "GIT_TRACE": "0" },
              "cwd": "/src/app"
            },
            "time": {"command": "uvx"},
            "empty": { "command": "npx", "args": [ ] },
            "remote": { "type": "http", "url": "https://example.com/mcp" }
          },
          "projects": { "/src/app": { "mcpServers": { "fetch": { "command": "uvx", "args": ["mcp-server-fetch"] } } } }
        }
        """

    @Test("entries: stdio, remote, project-level, with env and cwd")
    func entries() throws {
        let (_, root) = try parsed(Self.claudeCode)
        let entries = ClientConfigEditor.entries(in: root)
        #expect(entries.map(\.name) == ["git", "time", "empty", "remote", "fetch"])
        #expect(entries[0].state == .direct(command: ["uvx", "mcp-server-git", "--repository", "."]))
        #expect(entries[0].workingDirectory == "/src/app" && entries[0].environment.map(\.key) == ["GIT_TRACE"])
        #expect(entries[3].state == .remote)
        #expect(entries[4].path == ["projects", "/src/app", "mcpServers", "fetch"])
    }

    @Test("wrap changes command and args only; unwrap restores the text exactly; wrapping twice changes nothing")
    func roundTrip() throws {
        let wrapped = try wrapAll(Self.claudeCode)
        #expect(wrapped != Self.claudeCode)
        let (_, root) = try parsed(wrapped)
        let entries = ClientConfigEditor.entries(in: root)
        #expect(entries[0].state == .wrapped(manifest: "/m/git.json", command: ["uvx", "mcp-server-git", "--repository", "."]))
        #expect(entries[1].state == .wrapped(manifest: "/m/time.json", command: ["uvx"]))
        #expect(entries[2].state == .wrapped(manifest: "/m/empty.json", command: ["npx"]))
        #expect(entries[3].state == .remote)
        #expect(entries[0].workingDirectory == "/src/app" && entries[0].environment.map(\.value) == ["0"])
        #expect(wrapped.contains(#""time": {"command": "/opt/bin/tollgate", "args": ["run", "--manifest", "/m/time.json", "--", "uvx"]}"#))
        #expect(try wrapAll(wrapped) == wrapped)
        let unwrapped = try unwrapAll(wrapped)
        #expect(unwrapped.text == Self.claudeCode && unwrapped.refused.isEmpty)
    }

    @Test("unwrap leaves other changes alone and refuses an entry whose args were edited")
    func otherChanges() throws {
        let wrapped = try wrapAll(Self.claudeCode).replacingFirst(#""numStartups": 3"#, with: #""numStartups": 4"#)
            .replacingFirst(#""run", "--manifest", "/m/empty.json""#, with: #""run", "--manifest", "/m/other.json""#)
        let result = try unwrapAll(wrapped)
        #expect(result.text.contains(#""numStartups": 4"#))
        #expect(result.refused == [])  // the manifest changed: still a clean wrap, restored
        #expect(result.text == Self.claudeCode.replacingFirst(#""numStartups": 3"#, with: #""numStartups": 4"#))
        let edited = try wrapAll(Self.claudeCode).replacingFirst("\"uvx\", \n", with: "\"uvx\",\n")
        let refused = try unwrapAll(edited)
        #expect(edited != (try wrapAll(Self.claudeCode)))
        #expect(refused.refused.map(\.path) == [["mcpServers", "git"]])
        #expect(refused.text.contains(#""--", "uvx",\#n"#) && !refused.text.contains(#""--manifest", "/m/time.json""#))
    }

    @Test("entries that are not stdio servers are reported, not edited")
    func unusable() throws {
        let text = #"{"mcpServers": {"a": {"command": 3}, "b": {"command": "x", "args": [1]}, "c": [], "d": {"command": "tollgate", "args": ["run", "--", "uvx", "s"]}}}"#
        let (_, root) = try parsed(text)
        #expect(ClientConfigEditor.entries(in: root).map(\.state) == [.unusable("no \"command\" string"), .unusable("\"args\" is not an array of strings"), .unusable("not an object"),
                                                                      .unusable("it runs Tollgate already, set up by hand")])
        #expect(try wrapAll(text) == text)
    }
}

private extension String {
    func replacingFirst(_ target: String, with replacement: String) -> String {
        let bytes = Array(utf8), pattern = Array(target.utf8)
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return self }
        for start in 0...(bytes.count - pattern.count) where Array(bytes[start..<start + pattern.count]) == pattern {
            return String(decoding: bytes[..<start] + Array(replacement.utf8) + bytes[(start + pattern.count)...], as: UTF8.self)
        }
        return self
    }
}

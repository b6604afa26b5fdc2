import Testing
@testable import TollgateKit

/// Loads manifest text the way `tollgate check` does.
func parseManifest(_ text: String, file: String = "test.json", environment: [String: String] = [:],
                   allowsUnsetVariables: Bool = false) -> Result<Manifest, ManifestError> {
    let options = ManifestLoadOptions(environment: environment, allowsUnsetVariables: allowsUnsetVariables)
    return Result { () throws(ManifestError) -> Manifest in try ManifestLoader.parse(SourceText(path: file, bytes: Array(text.utf8)), options: options) }
}

/// The problems of a manifest that must fail.
func manifestIssues(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ManifestIssue] {
    switch parseManifest(text) {
    case .success:
        Issue.record("the manifest loaded but should have failed", sourceLocation: sourceLocation)
        return []
    case .failure(let error):
        return error.issues
    }
}

@Suite("Manifest loading")
struct ManifestLoaderTests {
    @Test("a complete manifest loads, with comments and trailing commas")
    func loadsCompleteManifest() throws {
        let manifest = try parseManifest("""
            // leading comment
            {
              "$schema": "./tollgate.schema.json",
              "version": 1, /* inline */
              "policy": {"default": "allow", "mode": "monitor", "validateInput": false,},
              "servers": {"git": {"command": "uvx", "args": ["mcp-server-git"], "env": {"A": "1"}, "cwd": "/srv"}},
              "tools": {
                "git_status": {"allow": true, "reason": "read-only"},
                "git_*": {"allow": false},
                "echo": {"arguments": {"type": "object", "properties": {"text": {"maxLength": 3}}}},
              },
              "budgets": {}, "audit": {"path": "audit.log", "arguments": "digest", "rotateMB": 8},
            }
            """).get()
        #expect(manifest.policy.defaultDecision == .allow)
        #expect(manifest.policy.mode == .monitor)
        #expect(manifest.policy.validateInput == false)
        #expect(manifest.servers.map(\.name) == ["git"])
        #expect(manifest.servers[0].arguments == ["uvx", "mcp-server-git"])
        #expect(manifest.servers[0].environment.inherit)
        #expect(manifest.servers[0].environment.variables.map(\.name) == ["A"])
        #expect(manifest.servers[0].environment.variables.map(\.value) == ["1"])
        #expect(manifest.servers[0].workingDirectory == "/srv")
        #expect(manifest.tools.map(\.pattern) == ["git_status", "git_*", "echo"])
        #expect(manifest.tools[1].allow == false)
        #expect(manifest.tools[2].allow == true, "a rule without allow allows")
        #expect(manifest.tools[2].arguments != nil)
        #expect(manifest.tools[1].line == 9)
        #expect(manifest.audit?.path.hasSuffix("/audit.log") == true, "a relative audit path is resolved")
        #expect(manifest.audit?.arguments == .digest)
        #expect(manifest.audit?.fsync == .batch)
        #expect(manifest.audit?.rotateMB == 8)
        #expect(manifest.sha256.count == 64)
    }

    @Test("defaults: deny, enforce, validateInput")
    func defaults() throws {
        let manifest = try parseManifest(#"{"version": 1}"#).get()
        #expect(manifest.policy == Manifest.Policy())
        #expect(manifest.policy.defaultDecision == .deny)
        #expect(manifest.policy.mode == .enforce)
        #expect(manifest.policy.validateInput)
    }

    @Test("a misspelt key is reported with its line, path and the likely key")
    func typoSuggestsKey() {
        let issues = manifestIssues("""
            {
              "version": 1,
              "tools": {
                "echo": {"alow": true}
              }
            }
            """)
        #expect(issues.count == 1)
        #expect(issues.first?.line == 4)
        #expect(issues.first?.path == "tools.echo.alow")
        #expect(issues.first?.description == #"test.json:4:14: tools.echo.alow: unknown key; did you mean "allow"?"#)
    }

    @Test("a wrong type is reported with what was expected")
    func wrongType() {
        let issues = manifestIssues(#"{"version": 1, "policy": {"validateInput": "yes", "default": "dney"}}"#)
        #expect(issues.map(\.path) == ["policy.validateInput", "policy.default"])
        #expect(issues[0].message == "expected true or false, found a string")
        #expect(issues[1].message.contains(#"expected "allow" or "deny", found "dney"; did you mean "deny"?"#))
    }

    @Test("every problem is listed, in file order")
    func listsEveryProblem() {
        let issues = manifestIssues("""
            {
              "version": 2,
              "polcy": {},
              "tools": {"a[b]": {}, "x": {"allow": "no"}},
              "servers": {"s": {"args": []}}
            }
            """)
        #expect(issues.map(\.path) == ["version", "polcy", "tools.\"a[b]\"", "tools.x.allow", "servers.s"])
        #expect(issues.map(\.line) == [2, 3, 4, 4, 5])
        #expect(issues[1].message.contains(#"did you mean "policy"?"#))
        #expect(issues[4].message.contains("missing key \"command\""))
    }

    @Test("a missing version, a bad regex and an unsupported schema keyword fail closed")
    func failsClosed() {
        #expect(manifestIssues("{}").first?.path == "version")
        let regex = manifestIssues(#"{"version": 1, "tools": {"q": {"arguments": {"properties": {"sql": {"pattern": "(open"}}}}}}"#)
        #expect(regex.first?.path == "tools.q.arguments.properties.sql.pattern")
        let keyword = manifestIssues(#"{"version": 1, "tools": {"q": {"arguments": {"format": "uri"}}}}"#)
        #expect(keyword.first?.path.hasPrefix("tools.q.arguments") == true)
        #expect(keyword.first?.message.contains("format") == true)
    }

    @Test("a pattern that cannot be matched in linear time is refused with its line, saying why")
    func nonLinearPattern() {
        let issues = manifestIssues("""
            {
              "version": 1,
              "tools": {
                "q": {"arguments": {"properties": {
                  "sql": {"type": "string", "pattern": "^(\\\\w+) \\\\1$"}
                }}}
              }
            }
            """)
        #expect(issues.count == 1)
        #expect(issues.first?.line == 5)
        #expect(issues.first?.path == "tools.q.arguments.properties.sql.pattern")
        #expect(issues.first?.description.hasPrefix("test.json:5:") == true, "\(String(describing: issues.first))")
        #expect(issues.first?.message.contains(#"unsupported regular expression "^(\\w+) \\1$": a backreference (\1) is not supported: it cannot be matched in linear time"#) == true,
                "\(String(describing: issues.first))")
    }

    @Test("audit needs a path and known values")
    func auditSection() {
        #expect(manifestIssues(#"{"version": 1, "audit": {}}"#).first?.message.contains("missing key \"path\"") == true)
        let bad = manifestIssues(#"{"version": 1, "audit": {"path": "a.log", "arguments": "redact", "fsync": "sometimes"}}"#)
        #expect(bad.map(\.path) == ["audit.arguments", "audit.fsync"])
        #expect(bad.first?.message.contains(#"did you mean "redacted"?"#) == true)
    }

    @Test("audit.maxArgumentBytes: 64 KiB by default, 1 KiB to 16 MiB, reported with its position otherwise")
    func auditArgumentCap() throws {
        #expect(try parseManifest(#"{"version": 1, "audit": {"path": "a.log"}}"#).get().audit?.maxArgumentBytes == 65536)
        #expect(try parseManifest(#"{"version": 1, "audit": {"path": "a.log", "maxArgumentBytes": 1024}}"#).get().audit?.maxArgumentBytes == 1024)
        #expect(try parseManifest(#"{"version": 1, "audit": {"path": "a.log", "maxArgumentBytes": 16777216}}"#).get().audit?.maxArgumentBytes == 16 << 20)
        for bad in ["1023", "16777217", "0", "-5", "65536.5", "\"64k\""] {
            let issues = manifestIssues("{\"version\": 1,\n \"audit\": {\"path\": \"a.log\",\n  \"maxArgumentBytes\": \(bad)}}")
            #expect(issues.map(\.path) == ["audit.maxArgumentBytes"], "\(bad): \(issues)")
            #expect(issues.first?.description.hasPrefix("test.json:3:") == true, "\(bad): \(String(describing: issues.first))")
            #expect(issues.first?.message.contains("a whole number from 1024 to 16777216") == true, "\(bad): \(String(describing: issues.first))")
        }
    }

    @Test("invalid JSON and duplicate keys are reported with their position")
    func invalidJSON() {
        let issues = manifestIssues("{\n  \"version\": 1,\n  \"version\": 1\n}")
        #expect(issues.count == 1)
        #expect(issues.first?.line == 3)
        #expect(issues.first?.message.contains("duplicate key") == true)
    }

    @Test("a relative server cwd is resolved against the manifest's folder")
    func relativeWorkingDirectory() throws {
        let manifest = try parseManifest(#"{"version": 1, "servers": {"s": {"command": "x", "cwd": "work"}}}"#, file: "/etc/tollgate/m.json").get()
        #expect(manifest.servers.first?.workingDirectory == "/etc/tollgate/work")
    }

    @Test("edit distance suggests only close keys")
    func suggestions() {
        #expect(ManifestDecoder.closest(to: "alow", among: ["allow", "reason", "arguments"]) == "allow")
        #expect(ManifestDecoder.closest(to: "argumnets", among: ["allow", "reason", "arguments"]) == "arguments")
        #expect(ManifestDecoder.closest(to: "colour", among: ["allow", "reason", "arguments"]) == nil)
    }
}

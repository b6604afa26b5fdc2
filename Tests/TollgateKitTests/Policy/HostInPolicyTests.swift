import Testing
@testable import TollgateKit

@Suite("hostIn")
struct HostInPolicyTests {
    /// A schema `{"hostIn": patterns}`.
    func hosts(_ patterns: [String]) throws -> ArgumentSchema {
        try ArgumentSchema(compiling: ["hostIn": .array(patterns.map(JSONValue.string))], strictness: .strict, context: testContext)
    }

    @Test("exact hosts, wildcard subdomains, apex not matched by *.x", arguments: [
        ("https://api.example.com/v1/items?q=1", true),
        ("http://api.example.com", true),
        ("https://API.Example.COM/x", true),
        ("HTTPS://api.example.com.", true),
        ("https://api.example.com:8443/x", true),
        ("https://user:pw@api.example.com/", true),
        ("https://example.com/", false),
        ("https://x.api.example.com/", false),
        ("https://api.example.com.evil.net/", false),
        ("https://evilapi.example.com/", false),
        ("https://a.corp.example/", true),
        ("https://a.b.corp.example/", true),
        ("https://corp.example/", false),
        ("https://xcorp.example/", false),
        ("https://[::1]:8080/", true),
        ("https://[::2]/", false),
        ("http://127.0.0.1/", true),
    ])
    func matching(url: String, allowed: Bool) throws {
        let schema = try hosts(["api.example.com", "*.corp.example", "[::1]", "127.0.0.1"])
        let violation = schema.validate(.string(url))
        #expect((violation == nil) == allowed, "\(url): \(String(describing: violation))")
        if let violation { #expect(violation.keyword == "hostIn") }
    }

    @Test("tricks that other parsers read differently are refused", arguments: [
        "http://api.example.com@evil.com/",
        "http://api.example.com:443@evil.com/",
        "https://a@b@api.example.com/",
        "https://evil.com\\@api.example.com/",
        "https://evil.com\\.api.example.com/",
        "https:/api.example.com/",
        "https:///api.example.com/",
        "https://api.example.com%2f@evil.com/",
        "https://api%2eexample.com/",
        "https://api.example.com:99999/",
        "https://api.example.com:80x/",
        " https://api.example.com/",
        "https://api.example.com/\tx",
        "https://api..example.com/",
        "https://api.example.com../",
        "https://ápi.example.com/",
        "https://[::1/",
        "https://[::1]x/",
    ])
    func tricks(url: String) throws {
        let schema = try hosts(["api.example.com", "evil.com.api.example.com"])
        #expect(schema.validate(.string(url))?.keyword == "hostIn", "\(url)")
    }

    @Test("other schemes and non-strings are refused")
    func schemes() throws {
        let schema = try hosts(["api.example.com"])
        for url in ["ftp://api.example.com/", "file://api.example.com/etc/passwd", "javascript:alert(1)", "api.example.com", "//api.example.com/"] {
            #expect(schema.validate(.string(url)) == SchemaViolation(pointer: "", keyword: "hostIn", message: "must be an http or https URL"), "\(url)")
        }
        #expect(schema.validate(3)?.message == "must be a URL (a string)")
        #expect(schema.validate("https://evil.com/")?.message == "must be a URL on an allowed host (api.example.com), not evil.com")
    }

    @Test("IP addresses match only exact patterns; IPv6 patterns with or without brackets")
    func addresses() throws {
        let schema = try hosts(["*.example", "10.0.0.1", "::1"])
        #expect(schema.validate("http://10.0.0.1/") == nil)
        #expect(schema.validate("http://10.0.0.2/")?.keyword == "hostIn")
        #expect(schema.validate("http://0x0a000001/")?.keyword == "hostIn", "other spellings of an address are not matched")
        #expect(schema.validate("http://[::1]/") == nil)
        #expect(schema.validate("http://[0::1]/")?.keyword == "hostIn", "IPv6 compares as text")
        #expect(try hosts(["[fe80::1]"]).validate("http://[FE80::1]:80/") == nil)
    }

    @Test("long URLs are read in one pass and refused for what they are")
    func longURLs() throws {
        let schema = try hosts(["*.corp.example"])
        let deep = "https://" + String(repeating: "a.", count: 1 << 17) + "corp.example/"
        #expect(schema.validate(.string(deep))?.message.contains("only letters, digits") == true, "longer than 253 bytes")
        let ats = "https://" + String(repeating: "@", count: 1 << 18) + "x.corp.example/"
        #expect(schema.validate(.string(ats))?.message.contains("at most one \"@\"") == true)
        let path = "https://a.corp.example/" + String(repeating: "/x?#", count: 1 << 16)
        #expect(schema.validate(.string(path)) == nil)
    }

    @Test("pattern errors name the element")
    func patternErrors() throws {
        for pattern in ["*", "https://a.com", "a.com:443", "a.com/path", "*.", "a..b", "*.10.0.0.1", ""] {
            let error = try compileError(#"{"hostIn":["ok.com",\#(JSONValue.string(pattern).jsonText)]}"#)
            #expect(error?.path == ["hostIn", "1"], "\(pattern): \(String(describing: error))")
        }
        #expect(try compileError(#"{"hostIn":[]}"#)?.path == ["hostIn"])
        #expect(try hosts(["API.Example.com."]).validate("https://api.example.com/") == nil, "patterns are lowercased, trailing dot removed")
    }
}

import Testing
@testable import TollgateKit

@Suite("Audit: redaction of arguments")
struct AuditRedactionTests {
    static let secret = "hunter2-\u{1F511}-s3cr3t"
    static let token = "ghp_" + String(repeating: "aB3dE", count: 8)

    /// Every position a secret can hide in: under a sensitive key at each depth, in arrays, as a
    /// credential-looking string under an innocent key, and as a key.
    static let planted: JSONValue = [
        "password": .string(secret),
        "query": "SELECT 1",
        "config": [
            "db": ["user": "bob", "Password": .string(secret), "port": 5432],
            "headers": [["name": "Authorization", "value": .string("Bearer " + token)]],
            "list": [.string(token), 1, nil, ["deeper": ["apiKey": .string(secret)]]],
        ],
        "auth": ["user": "bob", "pass": .string(secret)],
        "note": .string("use \(token) for the push"),
        .init(stringLiteral: token): "a key that is itself a token",
    ]

    @Test("a planted secret disappears from every nested position")
    func plantedSecret() throws {
        let redacted = AuditRedaction.redact(Self.planted)
        let out = redacted.jsonText
        #expect(!out.contains(Self.secret))
        #expect(!out.contains(Self.token))
        #expect(!out.contains("hunter2"))
        #expect(redacted["query"] == "SELECT 1", "innocent values stay")
        #expect(redacted["config"]?["db"]?["user"] == "bob")
        #expect(redacted["config"]?["db"]?["port"] == 5432)
        #expect(redacted["config"]?["db"]?["Password"] == "[REDACTED]")
        #expect(redacted["config"]?["list"]?[2] == .null)
        #expect(redacted["auth"] == "[REDACTED]", "a sensitive key hides its whole subtree")
        #expect(redacted["[REDACTED]"] == "[REDACTED]")
        // The digest still identifies the original arguments.
        var record = AuditRecord.decision(.allowed, server: nil, tool: "t", arguments: Self.planted, argumentsMode: .redacted)
        #expect(record.string("argumentsSha256") == AuditRecord.argumentsSha256(Self.planted))
        let (line, _) = record.seal(key: nil)
        #expect(!text(line).contains(Self.secret) && !text(line).contains(Self.token))
    }

    @Test("modes: redacted, full, digest")
    func modes() {
        #expect(AuditRedaction.arguments(["token": "x"], mode: .full) == ["token": "x"])
        #expect(AuditRedaction.arguments(["token": "x"], mode: .redacted) == ["token": "[REDACTED]"])
        #expect(AuditRedaction.arguments(["token": "x"], mode: .digest) == nil)
        #expect(AuditRedaction.Mode(rawValue: "digest") == .digest)
        #expect(AuditRedaction.redact(["session": nil, "use_auth": true]) == ["session": nil, "use_auth": true],
                "null and booleans cannot carry a secret")
    }

    @Test("keys that name secrets", arguments: [
        "password", "PASSWORD", "db_passwd", "passphrase", "client_secret", "accessToken", "refresh_token", "apikey",
        "X-API-KEY", "api_key", "key", "ssh_key", "sshKey", "SSHKey", "SSH_KEY", "signing_keys", "key2", "authorization",
        "Auth", "oauth_state", "credentials", "Cookie", "session_id", "private_key", "isPrivate",
    ])
    func sensitiveKeys(key: String) {
        #expect(AuditRedaction.isSensitiveKey(key))
    }

    @Test("keys that do not", arguments: [
        "path", "query", "keyboard", "monkey", "key_id", "keyPath", "hotkey", "name", "url", "limit", "content",
    ])
    func innocentKeys(key: String) {
        #expect(!AuditRedaction.isSensitiveKey(key))
    }

    @Test("strings that look like credentials", arguments: [
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "curl -H 'Authorization: Bearer abcdef0123456789xyz'",
        "bearer 0123456789abcdefXYZ",
        "Basic dXNlcjpwYXNzd29yZDEyMw==",
        "sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345",
        "sk-proj-AbCdEfGhIjKlMnOpQrStUvWx",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
        "xoxb-123456789012-abcdefghij",
        "AKIAIOSFODNN7EXAMPLE",
        "key=AKIAIOSFODNN7EXAMPLE;",
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "dGhpcyBpcyBhIGxvbmcgc2VjcmV0IHZhbHVlIDEyMw",
        "secret: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
    ])
    func credentials(text: String) {
        #expect(AuditRedaction.looksLikeCredential(text))
    }

    @Test("strings that do not", arguments: [
        "SELECT name FROM users WHERE id = 42",
        "/home/User1/Documents/Projects/Thing2024/Reports",
        "getUserProfile2FactorAuthenticationTokenValue",
        "this_is_a_very_long_identifier_name_v2_Final",
        "https://github.com/apple/swift-nio/pull/2931/files",
        "550e8400-e29b-41d4-a716-446655440000",
        "Src/Components/UserProfile/Avatar2/index",
        "node_modules/typescript/lib/lib.es2015.d.ts",
        "a task-list of risk-based items",
        "sk-learn is a library",
        "Bearer tokens expire",
        "AKIAIOSFODNN7EXAMPLE1",
        "0123456789012345678901234567890123456789",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "short",
    ])
    func notCredentials(text: String) {
        #expect(!AuditRedaction.looksLikeCredential(text))
    }
}

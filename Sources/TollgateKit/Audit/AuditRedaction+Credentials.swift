#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension AuditRedaction {
    /// A credential recognized by its prefix: the prefix, the bytes that may follow and how many.
    private struct PrefixRule: Sendable {
        enum Allowed: Sendable {
            case alphanumeric, urlSafe, upperOrDigit

            func matches(_ byte: UInt8) -> Bool {
                switch self {
                case .alphanumeric: isAlphanumeric(byte)
                case .urlSafe: isBase64URLByte(byte)
                case .upperOrDigit: isUpper(byte) || isDigit(byte)
                }
            }
        }

        var prefix: [UInt8]
        var allowed: Allowed
        var minimum: Int
        /// Whether exactly `minimum` bytes must follow (then a non-alphanumeric byte or the end).
        var exact: Bool
    }

    private static let prefixRules: [PrefixRule] = {
        var rules: [PrefixRule] = []
        func add(_ prefixes: [String], _ allowed: PrefixRule.Allowed, _ minimum: Int, exact: Bool = false) {
            for prefix in prefixes { rules.append(PrefixRule(prefix: Array(prefix.utf8), allowed: allowed, minimum: minimum, exact: exact)) }
        }
        add(["sk-"], .urlSafe, 20)                                        // OpenAI, Anthropic
        add(["sk_live_", "sk_test_", "rk_live_"], .alphanumeric, 16)      // Stripe
        add(["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], .alphanumeric, 20)  // GitHub
        add(["github_pat_"], .urlSafe, 20)                                // GitHub fine-grained
        add(["glpat-"], .urlSafe, 20)                                     // GitLab
        add(["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"], .urlSafe, 10)  // Slack
        add(["AKIA", "ASIA"], .upperOrDigit, 16, exact: true)             // AWS access key ids
        add(["AIza"], .urlSafe, 30)                                       // Google API keys
        return rules
    }()

    /// Whether a string looks like a credential, anywhere inside it:
    /// - a PEM block (`-----BEGIN`);
    /// - a JSON Web Token (`eyJ….eyJ….`);
    /// - an HTTP credential: `Bearer ` or `Basic ` (any case) followed by 16 or more token characters;
    /// - a known token prefix at the start of a word: `sk-`, `sk_live_`, `sk_test_`, `rk_live_`,
    ///   `ghp_`/`gho_`/`ghu_`/`ghs_`/`ghr_`, `github_pat_`, `glpat-`, `xox[abprs]-`, `AIza`
    ///   (each followed by enough token characters), and `AKIA`/`ASIA` followed by exactly 16
    ///   upper-case letters or digits (AWS key ids);
    /// - a run of 32 or more base64/base64url characters (`A-Z a-z 0-9 + / = _ -`) that looks
    ///   random: all hex digits with both letters and digits and a Shannon entropy of at least
    ///   2.9 bits per character (but not a UUID); otherwise an entropy of at least 3.5 bits and
    ///   words shorter than 3.3 characters on average (identifiers, paths and prose have longer
    ///   words; random text switches case and digits every two characters or so).
    public static func looksLikeCredential(_ text: String) -> Bool {
        guard text.utf8.count >= 16 else { return false }
        let bytes = Array(text.utf8)
        if contains(bytes, pemMarker) { return true }
        for start in bytes.indices where tokenStarts[Int(bytes[start])] && (start == 0 || !isAlphanumeric(bytes[start - 1])) {
            if matchesToken(bytes, at: start) { return true }
        }
        return containsRandomRun(bytes)
    }

    /// The bytes a token that ``matchesToken(_:at:)`` recognizes can start with.
    private static let tokenStarts: [Bool] = {
        var starts = [Bool](repeating: false, count: 256)
        for first in [jwtMarker[0]] + httpSchemes.flatMap({ [$0[0], $0[0] - 32] }) + prefixRules.map({ $0.prefix[0] }) {
            starts[Int(first)] = true
        }
        return starts
    }()

    /// Whether a JWT, an HTTP credential or a prefixed token starts at `start`.
    private static func matchesToken(_ bytes: [UInt8], at start: Int) -> Bool {
        if matchesJWT(bytes, at: start) { return true }
        for scheme in httpSchemes where hasPrefix(bytes, at: start, scheme, ignoringCase: true) {
            var index = start + scheme.count
            guard index < bytes.count, bytes[index] == 0x20 else { continue }
            while index < bytes.count && bytes[index] == 0x20 { index += 1 }
            if count(bytes, from: index, where: isHTTPTokenByte) >= 16 { return true }
        }
        for rule in prefixRules where hasPrefix(bytes, at: start, rule.prefix, ignoringCase: false) {
            let after = start + rule.prefix.count
            let run = count(bytes, from: after, where: rule.allowed.matches)
            if rule.exact {
                let end = after + rule.minimum
                if run >= rule.minimum && (end == bytes.count || !isAlphanumeric(bytes[end])) { return true }
            } else if run >= rule.minimum {
                return true
            }
        }
        return false
    }

    /// The HTTP authentication schemes whose credentials are redacted, lowercase.
    private static let httpSchemes: [[UInt8]] = [Array("bearer".utf8), Array("basic".utf8)]
    private static let pemMarker = Array("-----BEGIN".utf8)
    private static let jwtMarker = Array("eyJ".utf8)

    /// `eyJ` base64url `.` `eyJ` base64url `.`: a JWT's header and payload (JSON objects in base64url).
    private static func matchesJWT(_ bytes: [UInt8], at start: Int) -> Bool {
        let marker = jwtMarker
        var index = start
        for _ in 0..<2 {
            guard hasPrefix(bytes, at: index, marker, ignoringCase: false) else { return false }
            index += marker.count
            let run = count(bytes, from: index, where: isBase64URLByte)
            guard run > 0, index + run < bytes.count, bytes[index + run] == UInt8(ascii: ".") else { return false }
            index += run + 1
        }
        return true
    }

    /// Whether a run of base64 characters of 32 or more looks random (see ``looksLikeCredential(_:)``).
    private static func containsRandomRun(_ bytes: [UInt8]) -> Bool {
        var start = 0
        while start < bytes.count {
            guard isBase64Byte(bytes[start]) else { start += 1; continue }
            var end = start
            while end < bytes.count && isBase64Byte(bytes[end]) { end += 1 }
            if end - start >= 32 && isRandom(bytes[start..<end]) { return true }
            start = end
        }
        return false
    }

    private static func isRandom(_ run: ArraySlice<UInt8>) -> Bool {
        if run.allSatisfy(isHexDigit) {
            return run.contains(where: isDigit) && run.contains(where: { !isDigit($0) }) && entropy(run) >= 2.9
        }
        if isUUID(run) { return false }
        return entropy(run) >= 3.5 && averageWordLength(run) < 3.3
    }

    /// Shannon entropy in bits per byte.
    static func entropy(_ run: ArraySlice<UInt8>) -> Double {
        var counts = [Int](repeating: 0, count: 256)
        for byte in run { counts[Int(byte)] += 1 }
        let total = Double(run.count)
        var bits = 0.0
        for count in counts where count > 0 {
            let p = Double(count) / total
            bits -= p * log2(p)
        }
        return bits
    }

    /// Letters and digits per word, where words split at separators, lower-to-upper humps,
    /// acronym ends and letter/digit changes.
    static func averageWordLength(_ run: ArraySlice<UInt8>) -> Double {
        var words = 0, characters = 0
        var previous: UInt8? = nil
        for index in run.indices {
            let byte = run[index]
            guard isAlphanumeric(byte) else { previous = nil; continue }
            characters += 1
            if let previous {
                let next = index + 1 < run.endIndex ? run[index + 1] : 0
                if (isLower(previous) && isUpper(byte)) || (isDigit(previous) != isDigit(byte))
                    || (isUpper(previous) && isUpper(byte) && isLower(next)) {
                    words += 1
                }
            } else {
                words += 1
            }
            previous = byte
        }
        return Double(characters) / Double(max(words, 1))
    }

    /// 8-4-4-4-12 hex digits.
    private static func isUUID(_ run: ArraySlice<UInt8>) -> Bool {
        guard run.count == 36 else { return false }
        for (offset, byte) in run.enumerated() {
            let dash = offset == 8 || offset == 13 || offset == 18 || offset == 23
            guard dash ? byte == UInt8(ascii: "-") : isHexDigit(byte) else { return false }
        }
        return true
    }

    private static func hasPrefix(_ bytes: [UInt8], at start: Int, _ prefix: [UInt8], ignoringCase: Bool) -> Bool {
        guard start + prefix.count <= bytes.count else { return false }
        for (offset, expected) in prefix.enumerated() {
            let byte = bytes[start + offset]
            guard (ignoringCase ? asciiLowercased(byte) : byte) == expected else { return false }
        }
        return true
    }

    private static func count(_ bytes: [UInt8], from start: Int, where matches: (UInt8) -> Bool) -> Int {
        var end = start
        while end < bytes.count && matches(bytes[end]) { end += 1 }
        return end - start
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (asciiLowercased(byte) >= UInt8(ascii: "a") && asciiLowercased(byte) <= UInt8(ascii: "f"))
    }

    static func isBase64URLByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    private static func isBase64Byte(_ byte: UInt8) -> Bool {
        isBase64URLByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
    }

    private static func isHTTPTokenByte(_ byte: UInt8) -> Bool {
        isBase64Byte(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "~")
    }
}

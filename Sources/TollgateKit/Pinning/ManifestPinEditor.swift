/// Rewrites the pins of a manifest's text after a reviewed upgrade (`tollgate pin`), changing
/// nothing else: comments, key order, formatting and every other value stay byte for byte.
///
/// For each exact rule (`tools.NAME`) whose tool the server lists, an existing `"pin"` string
/// is replaced in place, and a rule without one gets `"pin": "sha256:…"` as its first member
/// (indented like the rule's first member). Glob rules are never pinned.
public struct ManifestPinEditor: Sendable {
    /// What changed, and what could not be pinned.
    public struct Report: Sendable, Equatable {
        /// Rules whose pin changed: tool, old pin, new pin.
        public var updated: [(tool: String, old: ToolPin, new: ToolPin)] = []
        /// Rules that got a pin.
        public var added: [(tool: String, pin: ToolPin)] = []
        /// Rules whose pin was already right.
        public var unchanged: [String] = []
        /// Exact rules for tools the server did not list (left as they are).
        public var unlisted: [String] = []
        /// Tools the server listed that no exact rule names (`policy.default` or a glob decides them).
        public var withoutRule: [String] = []

        /// Reports are equal when they list the same changes in the same order.
        public static func == (lhs: Report, rhs: Report) -> Bool {
            lhs.updated.map { "\($0.tool) \($0.old) \($0.new)" } == rhs.updated.map { "\($0.tool) \($0.old) \($0.new)" }
                && lhs.added.map { "\($0.tool) \($0.pin)" } == rhs.added.map { "\($0.tool) \($0.pin)" }
                && lhs.unchanged == rhs.unchanged && lhs.unlisted == rhs.unlisted && lhs.withoutRule == rhs.withoutRule
        }
    }

    /// Computes the new text of a manifest for the tools a server lists. `root` is `source` parsed.
    public static func edit(_ source: SourceText, root: SourceValue, tools: [JSONObject]) -> (bytes: [UInt8], report: Report) {
        var report = Report()
        var listed: [ProtocolName: JSONObject] = [:]
        for tool in tools { if let name = tool["name"]?.stringValue { listed[ProtocolName(name)] = tool } }
        var splices: [TextSplice] = []
        var ruled: Set<ProtocolName> = []
        if case .object(let rules)? = root["tools"]?.kind {
            for rule in rules {
                guard (try? NameMatcher(pattern: rule.key))?.isExact == true, case .object(let members) = rule.value.kind else { continue }
                ruled.insert(ProtocolName(rule.key))
                guard let tool = listed[ProtocolName(rule.key)] else { report.unlisted.append(rule.key); continue }
                let pin = ToolPin(of: tool)
                let text = Array("\"\(pin)\"".utf8)
                if let member = members.first(where: { $0.key.hasSameScalars(as: "pin") }) {
                    let old = member.value.json.stringValue.flatMap(ToolPin.init)
                    if old == pin { report.unchanged.append(rule.key); continue }
                    if let old { report.updated.append((rule.key, old, pin)) } else { report.added.append((rule.key, pin)) }
                    splices.append(TextSplice(range: member.value.offset..<stringEnd(source.bytes, from: member.value.offset), bytes: text))
                } else {
                    report.added.append((rule.key, pin))
                    splices.append(insertion(of: text, into: rule.value, first: members.first, in: source))
                }
            }
        }
        report.withoutRule = tools.compactMap { $0["name"]?.stringValue }.filter { !ruled.contains(ProtocolName($0)) }
        return (TextSplice.applying(splices, to: source.bytes), report)
    }

    /// The offset just past the string literal starting at `start` (its opening quote).
    static func stringEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var index = start + 1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\") { index += 2; continue }
            if bytes[index] == UInt8(ascii: "\"") { return index + 1 }
            index += 1
        }
        return bytes.count
    }

    /// `"pin": …` inserted as a rule's first member, laid out like the member that was first: on a
    /// line of its own with the same indentation, or just before it on the same line.
    private static func insertion(of text: [UInt8], into rule: SourceValue, first: SourceValue.Member?, in source: SourceText) -> TextSplice {
        var bytes = Array("\"pin\": ".utf8) + text
        guard let first else { return TextSplice(range: (rule.offset + 1)..<(rule.offset + 1), bytes: bytes) }
        bytes.append(UInt8(ascii: ","))
        let (keyLine, keyColumn) = source.location(of: first.keyOffset)
        guard keyLine == source.location(of: rule.offset).line else {
            let lineStart = first.keyOffset - (keyColumn - 1)
            let indent = source.bytes[lineStart..<first.keyOffset].prefix { $0 == 0x20 || $0 == 0x09 }
            return TextSplice(range: (rule.offset + 1)..<(rule.offset + 1), bytes: [0x0A] + Array(indent) + bytes)
        }
        // Before the first key, so the space written after `{` (if any) stays where it was.
        return TextSplice(range: first.keyOffset..<first.keyOffset, bytes: bytes + [0x20])
    }
}

/// Reads a located manifest tree into typed values, collecting every problem instead of stopping
/// at the first, so `tollgate check` can list them all.
struct ManifestDecoder {
    let source: SourceText
    /// What variables in strings expand to.
    let variables: ManifestVariables
    private(set) var issues: [ManifestIssue] = []
    /// Variables the manifest uses that are not set (kept apart: `check` warns about them, `run`
    /// refuses to start).
    private(set) var unsetVariables: [ManifestIssue] = []
    /// The directories and programs named so far.
    private(set) var requiredPaths: [RequiredPath] = []
    /// How budget scopes are resolved (see ``ManifestLoadOptions``).
    var resolvesSpendScopes = true
    var runID: String?

    init(source: SourceText, variables: ManifestVariables) {
        self.source = source
        self.variables = variables
    }

    mutating func report(_ message: String, at node: SourceValue?, path: String) {
        let (line, column) = node.map { source.location(of: $0.offset) } ?? (0, 0)
        issues.append(ManifestIssue(file: source.path, line: line, column: column, path: path, message: message))
    }

    mutating func report(_ message: String, atOffset offset: Int, path: String) {
        let (line, column) = source.location(of: offset)
        issues.append(ManifestIssue(file: source.path, line: line, column: column, path: path, message: message))
    }

    /// The members of an object whose keys must all be in `allowed`; unknown keys are reported,
    /// with the likely key when one is close.
    mutating func members(_ node: SourceValue, path: String, allowed: [String]) -> [SourceValue.Member]? {
        guard case .object(let members) = node.kind else {
            report("expected an object, found \(node.typeName)", at: node, path: path)
            return nil
        }
        for member in members where !allowed.contains(member.key) {
            var message = "unknown key"
            if let guess = Self.closest(to: member.key, among: allowed) {
                message += "; did you mean \"\(guess)\"?"
            } else {
                message += "; expected one of: \(allowed.map { "\"\($0)\"" }.joined(separator: ", "))"
            }
            report(message, atOffset: member.keyOffset, path: Self.join(path, member.key))
        }
        return members.filter { allowed.contains($0.key) }
    }

    /// All members of an object whose keys are free (names of servers, tools, variables).
    mutating func namedMembers(_ node: SourceValue, path: String) -> [SourceValue.Member] {
        guard case .object(let members) = node.kind else {
            report("expected an object, found \(node.typeName)", at: node, path: path)
            return []
        }
        return members
    }

    mutating func string(_ node: SourceValue, path: String, nonEmpty: Bool = true) -> String? {
        guard case .string(let text) = node.kind else {
            report("expected a string, found \(node.typeName)", at: node, path: path)
            return nil
        }
        if nonEmpty && text.isEmpty {
            report("expected a non-empty string", at: node, path: path)
            return nil
        }
        return text
    }

    /// A string with its variables expanded (see ``expand(_:at:path:nonEmpty:)``).
    mutating func expandedString(_ node: SourceValue, path: String, nonEmpty: Bool = true) -> String? {
        guard let text = string(node, path: path, nonEmpty: nonEmpty) else { return nil }
        return expand(text, at: node, path: path, nonEmpty: nonEmpty)
    }

    /// `text` (written at `node`) with its variables expanded (see ``ManifestVariables``). A
    /// malformed reference is a problem; an unset variable is recorded in ``unsetVariables`` and
    /// the text kept as written.
    mutating func expand(_ text: String, at node: SourceValue, path: String, nonEmpty: Bool) -> String? {
        let expanded: String
        do throws(ManifestVariables.Problem) {
            expanded = try variables.expand(text)
        } catch {
            let (line, column) = source.location(of: node.offset)
            let issue = ManifestIssue(file: source.path, line: line, column: column, path: path, message: error.description)
            guard case .unset = error else {
                issues.append(issue)
                return nil
            }
            unsetVariables.append(issue)
            return text
        }
        if nonEmpty && expanded.isEmpty {
            report("\"\(text)\" is empty once its variables are expanded; expected a non-empty string", at: node, path: path)
            return nil
        }
        return expanded
    }

    /// A file Tollgate writes (the audit log, the ledger): variables expanded, made absolute from
    /// `directory` (the manifest's folder); its folder must exist where the manifest is used.
    mutating func expandedFile(_ node: SourceValue, path: String, directory: String) -> String? {
        let unset = unsetVariables.count
        guard let text = expandedString(node, path: path) else { return nil }
        let file = FileIO.absolute(text, base: directory)
        if unsetVariables.count == unset { require(FileIO.directory(of: file), .directory, at: node, path: path) }
        return file
    }

    /// An array of strings, each with its variables expanded.
    mutating func expandedStrings(_ node: SourceValue, path: String) -> [String]? {
        guard case .array(let elements) = node.kind else {
            report("expected an array of strings, found \(node.typeName)", at: node, path: path)
            return nil
        }
        var values: [String] = []
        for (index, element) in elements.enumerated() {
            guard let text = expandedString(element, path: "\(path)[\(index)]", nonEmpty: false) else { return nil }
            values.append(text)
        }
        return values
    }

    /// Records that variable `name`, which the value at `node` needs, is not set (with `message`,
    /// or the usual one).
    mutating func reportUnset(_ name: String, at node: SourceValue, path: String, message: String? = nil) {
        let (line, column) = source.location(of: node.offset)
        unsetVariables.append(ManifestIssue(file: source.path, line: line, column: column, path: path,
                                            message: message ?? ManifestVariables.Problem.unset([name]).description))
    }

    /// Forgets the unset variables met since there were `count` (in a part of the manifest that
    /// will not be used), but those `keeping` holds for.
    mutating func forgetUnsetVariables(after count: Int, keeping: (ManifestIssue) -> Bool = { _ in false }) {
        let kept = unsetVariables[count...].filter(keeping)
        unsetVariables.replaceSubrange(count..., with: kept)
    }

    /// Records that `value` (written at `node`) must exist where the manifest is used.
    mutating func require(_ value: String, _ kind: RequiredPath.Kind, at node: SourceValue, path: String) {
        let (line, column) = source.location(of: node.offset)
        requiredPaths.append(RequiredPath(value: value, kind: kind, key: path, line: line, column: column))
    }

    mutating func bool(_ node: SourceValue, path: String) -> Bool? {
        guard case .bool(let flag) = node.kind else {
            report("expected true or false, found \(node.typeName)", at: node, path: path)
            return nil
        }
        return flag
    }

    mutating func choice(_ node: SourceValue, path: String, among options: [String]) -> String? {
        guard let text = string(node, path: path, nonEmpty: false) else { return nil }
        guard options.contains(text) else {
            let expected = options.map { "\"\($0)\"" }.joined(separator: " or ")
            var message = "expected \(expected), found \"\(text)\""
            if let guess = Self.closest(to: text, among: options) { message += "; did you mean \"\(guess)\"?" }
            report(message, at: node, path: path)
            return nil
        }
        return text
    }

    /// One of an enumeration's raw values.
    mutating func choice<Choice: RawRepresentable & CaseIterable>(_ node: SourceValue, path: String, as type: Choice.Type = Choice.self) -> Choice?
    where Choice.RawValue == String {
        choice(node, path: path, among: Choice.allCases.map(\.rawValue)).flatMap(Choice.init(rawValue:))
    }

    mutating func integer(_ node: SourceValue, path: String, range: ClosedRange<Int>) -> Int? {
        guard case .number(let text) = node.kind, let value = Int(text), range.contains(value) else {
            let expected = range.count == 1 ? "\(range.lowerBound)" : "a whole number from \(range.lowerBound) to \(range.upperBound)"
            report("expected \(expected), found \(Self.show(node))", at: node, path: path)
            return nil
        }
        return value
    }

    static func show(_ node: SourceValue) -> String {
        switch node.kind {
        case .number(let text): text
        case .string(let text): "\"\(text)\""
        default: node.typeName
        }
    }

    static func join(_ path: String, _ key: String) -> String {
        let safe = key.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "*" || $0 == "?" || $0 == "." || $0 == "/" || $0 == "$" }
        let part = safe ? key : "\"\(key)\""
        return path.isEmpty ? part : "\(path).\(part)"
    }

    /// The allowed key nearest to a misspelt one (Damerau–Levenshtein distance ≤ 2, or ≤ 1 for short keys).
    static func closest(to key: String, among candidates: [String]) -> String? {
        let lowered = key.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let distance = editDistance(Array(lowered.utf8), Array(candidate.lowercased().utf8))
            let limit = candidate.count <= 4 ? 1 : 2
            if distance <= limit && distance < (best?.1 ?? .max) { best = (candidate, distance) }
        }
        return best?.0
    }

    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], previous2[j - 2] + 1)
                }
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }
}

/// Puts Tollgate in front of the stdio servers of an MCP client's configuration (the
/// `mcpServers` format of Claude Code and Claude Desktop) and takes it away again, editing the
/// text in place: only the `command` and `args` of a wrapped entry change, everything else in
/// the file stays byte for byte.
///
/// Wrapping turns `"command": C, "args": [A...]` into `"command": T, "args": ["run",
/// "--manifest", M, "--", C, A...]`, where the inserted elements are written right after the
/// array's `[` (C as its original literal), so unwrapping removes exactly them and restores C:
/// what wrap changed comes back byte for byte. An entry without `args` gets them right after
/// its command value, and unwrapping removes them again.
public enum ClientConfigEditor {
    /// One server entry of a configuration.
    public struct Entry: Sendable, Equatable {
        /// Where the entry is: `mcpServers.NAME`, or `projects.DIR.mcpServers.NAME` in ~/.claude.json.
        public var path: [String]
        /// The server's name (its key).
        public var name: String { path.last ?? "" }
        /// What the entry is.
        public var state: State
        /// The entry's `env` (keys and values as written), when it has one.
        public var environment: [(key: String, value: String)]
        /// The entry's `cwd`, when it has one.
        public var workingDirectory: String?

        /// Entries are equal when they are at the same place in the same state.
        public static func == (lhs: Entry, rhs: Entry) -> Bool {
            lhs.path == rhs.path && lhs.state == rhs.state && lhs.workingDirectory == rhs.workingDirectory
                && lhs.environment.map { "\($0.key)=\($0.value)" } == rhs.environment.map { "\($0.key)=\($0.value)" }
        }
    }

    /// What an entry is.
    public enum State: Sendable, Equatable {
        /// A stdio server not behind Tollgate: its command line.
        case direct(command: [String])
        /// Already behind Tollgate: its manifest and the server's own command line.
        case wrapped(manifest: String, command: [String])
        /// A remote server (`url`), left alone.
        case remote
        /// Something else (no string `command`, `args` not strings): left alone, with the reason.
        case unusable(String)
    }

    /// Why a wrapped entry was not restored by ``unwrap(_:root:)``.
    public struct Refusal: Sendable, Equatable {
        public var path: [String]
        public var reason: String
    }

    /// Every server entry of `root`: `mcpServers`, and each project's `mcpServers` in ~/.claude.json.
    public static func entries(in root: SourceValue) -> [Entry] {
        var entries: [Entry] = []
        func collect(_ servers: SourceValue?, under path: [String]) {
            guard case .object(let members)? = servers?.kind else { return }
            for member in members { entries.append(entry(member.value, at: path + [member.key])) }
        }
        collect(member(root, "mcpServers"), under: ["mcpServers"])
        if case .object(let projects)? = member(root, "projects")?.kind {
            for project in projects { collect(member(project.value, "mcpServers"), under: ["projects", project.key, "mcpServers"]) }
        }
        return entries
    }

    /// The text with each entry in `wrapping` put behind Tollgate: `tollgate` is the command
    /// written, `manifest` the manifest each entry runs under (by path). Entries that are not
    /// ``State/direct`` are left as they are.
    public static func wrap(_ bytes: [UInt8], root: SourceValue, wrapping: [(path: [String], tollgate: String, manifest: String)]) -> [UInt8] {
        var splices: [TextSplice] = []
        for target in wrapping {
            guard let server = descendant(root, target.path), case .direct = entry(server, at: target.path).state,
                  let command = member(server, "command") else { continue }
            let commandEnd = ManifestPinEditor.stringEnd(bytes, from: command.offset)
            let prefix = [quoted("run"), quoted("--manifest"), quoted(target.manifest), quoted("--"), Array(bytes[command.offset..<commandEnd])]
            splices.append(TextSplice(range: command.offset..<commandEnd, bytes: quoted(target.tollgate)))
            if let args = member(server, "args"), case .array(let elements) = args.kind {
                let inserted = joined(prefix) + (elements.isEmpty ? [] : Array(", ".utf8))
                splices.append(TextSplice(range: args.offset + 1..<args.offset + 1, bytes: inserted))
            } else {
                splices.append(TextSplice(range: commandEnd..<commandEnd, bytes: Array(", \"args\": [".utf8) + joined(prefix) + [UInt8(ascii: "]")]))
            }
        }
        return TextSplice.applying(splices, to: bytes)
    }

    /// The text with every wrapped entry restored to what it was before ``wrap(_:root:wrapping:)``,
    /// and the wrapped entries whose text was changed since (so they cannot be restored exactly).
    /// One case reads both ways: `"command": "x", "args": []` (one space, on one line) wraps to
    /// the text an entry without args wraps to, and unwraps to the entry without args.
    public static func unwrap(_ bytes: [UInt8], root: SourceValue) -> (bytes: [UInt8], restored: [[String]], refused: [Refusal]) {
        var splices: [TextSplice] = []
        var restored: [[String]] = []
        var refused: [Refusal] = []
        for entry in entries(in: root) {
            guard case .wrapped = entry.state,
                  let server = descendant(root, entry.path), let command = member(server, "command"),
                  let args = member(server, "args"), case .array(let elements) = args.kind else { continue }
            let literals = elements.prefix(5).map { Array(bytes[$0.offset..<ManifestPinEditor.stringEnd(bytes, from: $0.offset)]) }
            let inserted = joined(literals) + (elements.count > 5 ? Array(", ".utf8) : [])
            let commandEnd = ManifestPinEditor.stringEnd(bytes, from: command.offset)
            let addedArgs = Array(", \"args\": [".utf8) + joined(literals) + [UInt8(ascii: "]")]
            if elements.count == 5, bytes[commandEnd...].starts(with: addedArgs) {
                // The args wrap added after the command: remove them.
                splices.append(TextSplice(range: command.offset..<commandEnd + addedArgs.count, bytes: literals[4]))
            } else if bytes[(args.offset + 1)...].starts(with: inserted) {
                splices.append(TextSplice(range: command.offset..<commandEnd, bytes: literals[4]))
                splices.append(TextSplice(range: args.offset + 1..<args.offset + 1 + inserted.count, bytes: []))
            } else {
                refused.append(Refusal(path: entry.path, reason: "its args were edited since it was wrapped; restore it by hand"))
                continue
            }
            restored.append(entry.path)
        }
        return (TextSplice.applying(splices, to: bytes), restored, refused)
    }

    static func entry(_ value: SourceValue, at path: [String]) -> Entry {
        var result = Entry(path: path, state: .unusable("not an object"), environment: [], workingDirectory: nil)
        guard case .object = value.kind else { return result }
        if case .object(let variables)? = member(value, "env")?.kind {
            result.environment = variables.compactMap { variable in variable.value.json.stringValue.map { (variable.key, $0) } }
        }
        result.workingDirectory = member(value, "cwd")?.json.stringValue
        if member(value, "url") != nil, member(value, "command") == nil { result.state = .remote; return result }
        guard let command = member(value, "command")?.json.stringValue, !command.isEmpty else {
            result.state = .unusable("no \"command\" string")
            return result
        }
        var arguments: [String] = []
        if let args = member(value, "args") {
            guard case .array(let elements) = args.kind, elements.allSatisfy({ $0.json.stringValue != nil }) else {
                result.state = .unusable("\"args\" is not an array of strings")
                return result
            }
            arguments = elements.compactMap(\.json.stringValue)
        }
        let isTollgate = command.split(separator: "/").last.map { String($0).hasSameScalars(as: "tollgate") } ?? false
        if isTollgate, arguments.count >= 5, arguments[0].hasSameScalars(as: "run"), arguments[1].hasSameScalars(as: "--manifest"),
           arguments[3].hasSameScalars(as: "--") {
            result.state = .wrapped(manifest: arguments[2], command: Array(arguments[4...]))
        } else if isTollgate {
            result.state = .unusable("it runs Tollgate already, set up by hand")
        } else {
            result.state = .direct(command: [command] + arguments)
        }
        return result
    }

    /// The member `key` of an object, compared by Unicode scalars.
    static func member(_ value: SourceValue, _ key: String) -> SourceValue? {
        guard case .object(let members) = value.kind else { return nil }
        return members.first { $0.key.hasSameScalars(as: key) }?.value
    }

    static func descendant(_ value: SourceValue, _ path: [String]) -> SourceValue? {
        var node: SourceValue? = value
        for step in path { node = node.flatMap { member($0, step) } }
        return node
    }

    static func quoted(_ text: String) -> [UInt8] {
        var writer = JSONWriter()
        writer.write(string: text)
        return writer.bytes
    }

    static func joined(_ literals: [[UInt8]]) -> [UInt8] {
        Array(literals.joined(separator: Array(", ".utf8)))
    }
}

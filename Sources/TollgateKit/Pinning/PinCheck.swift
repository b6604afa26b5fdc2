/// Compares the tool definitions a server lists with the pins of the manifest, and remembers
/// which tools changed. Pure state: the gate feeds it listed definitions and asks it about calls.
///
/// A change is sticky: once a pinned tool was listed with another definition, it stays blocked
/// for the rest of the run, even if a later listing shows the pinned definition again (a server
/// that flips a definition is not to be trusted with it; restart after review).
public struct PinCheck: Sendable {
    /// A pinned tool whose listed definition no longer matches its pin.
    public struct Change: Sendable, Equatable {
        /// The tool's name.
        public var tool: String
        /// The rule holding the pin (`tools.NAME`).
        public var rule: String
        /// The manifest's pin.
        public var pinned: ToolPin
        /// The pin of the definition listed now.
        public var listed: ToolPin
        /// The parts that differ from the pinned definition (empty when that definition was not
        /// seen in this run, so only the digest tells it changed).
        public var changedParts: [String]

        /// One sentence: what changed.
        public var reason: String {
            if changedParts.isEmpty {
                return "the server's definition of this tool no longer matches the pin \(pinned) in the manifest: its description, inputSchema or annotations changed since it was reviewed (the pin holds one digest, so which part cannot be told)"
            }
            let what = changedParts.count == 1 ? "its \(changedParts[0]) changed" : "its \(changedParts.joined(separator: " and ")) changed"
            return "the server changed this tool's definition during the run: \(what), so it no longer matches the pin \(pinned) in the manifest"
        }

        /// The denial calls to the tool get.
        public var denial: Denial {
            Denial(.toolChanged, tool: tool, rule: rule, reason: reason,
                   advice: "Do not use this tool; tell the user its definition changed and must be reviewed (tollgate pin) before it can run.",
                   details: ["changed": .array(changedParts.map(JSONValue.string)), "listedPin": .string(listed.description)])
        }
    }

    /// What a listed definition is, against its pin.
    public enum Verdict: Sendable, Equatable {
        /// It matches (and the tool never changed in this run).
        case matches
        /// It changed; `isNew` the first time this is seen (when it is recorded).
        case changed(Change, isNew: Bool)
    }

    /// A listed definition as the check keeps it: its pin, and its pinned part when that is
    /// small enough to keep (``PeerLimits/pinnedDefinitionBytes``) for naming what changed.
    public struct Listed: Sendable {
        /// The pin of the definition.
        public var pin: ToolPin
        /// The pinned members of the definition, when kept.
        public var pinned: JSONObject?

        /// Reads a listed definition, keeping its pinned part when it is at most `maxBytes` (canonical).
        public init(_ tool: JSONObject, maxBytes: Int = PeerLimits.standard.pinnedDefinitionBytes) {
            let pinned = ToolPin.pinned(tool)
            let canonical = AuditRecord.canonicalBytes(.object(pinned))
            pin = ToolPin(canonical: canonical)
            self.pinned = canonical.count <= maxBytes ? pinned : nil
        }
    }

    /// The pinned definitions seen in this run (those small enough to keep), to name what changed later.
    private var seen: [ProtocolName: JSONObject] = [:]
    /// The last listing of every pinned tool (checked again when the pins reload).
    private(set) var latest: [ProtocolName: Listed] = [:]
    /// The tools found changed.
    private var changes: [ProtocolName: Change] = [:]
    /// The largest pinned definition kept.
    let maxDefinitionBytes: Int

    /// An empty check: no definition seen yet.
    public init(maxDefinitionBytes: Int = PeerLimits.standard.pinnedDefinitionBytes) {
        self.maxDefinitionBytes = maxDefinitionBytes
    }

    /// Checks a listed definition of `name` against `pin` (from rule `rule`).
    public mutating func check(_ tool: JSONObject, name: String, pin: ToolPin, rule: String) -> Verdict {
        check(Listed(tool, maxBytes: maxDefinitionBytes), name: name, pin: pin, rule: rule)
    }

    /// Checks a listed definition, as kept, of `name` against `pin` (from rule `rule`).
    public mutating func check(_ listed: Listed, name: String, pin: ToolPin, rule: String) -> Verdict {
        let key = ProtocolName(name)
        latest[key] = listed
        if let change = changes[key] { return .changed(change, isNew: false) }
        if listed.pin == pin {
            if seen[key] == nil, let pinned = listed.pinned { seen[key] = pinned }
            return .matches
        }
        var parts: [String] = []
        if let before = seen[key], let now = listed.pinned { parts = ToolPin.changedParts(from: before, to: now) }
        let change = Change(tool: name, rule: rule, pinned: pin, listed: listed.pin, changedParts: parts)
        changes[key] = change
        return .changed(change, isNew: true)
    }

    /// The change that blocks calls to `name`, if its definition changed.
    public func change(for name: String) -> Change? {
        changes.isEmpty ? nil : changes[ProtocolName(name)]
    }
}

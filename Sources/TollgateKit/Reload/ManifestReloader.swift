import Synchronization

/// Reloads the manifest the running gate was made from, on SIGHUP and, with `--watch`, when the
/// file changes: the file is read and checked off the session's lock, and the new gate takes
/// over under it (``PolicyGate/takeOver(from:)``), so calls in flight finish under the policy
/// that decided them and the next call is decided by the new one. An invalid or refused
/// manifest leaves the running one in force; its errors go to stderr and to the audit trail.
public final class ManifestReloader: Sendable {
    /// The manifest file.
    public let path: String
    /// Whether the file is watched for changes (`--watch`).
    public let watches: Bool
    /// How often a watched file is looked at.
    public static let watchIntervalMilliseconds: Int64 = 500

    /// How the file is loaded (as at start).
    private let options: ManifestLoadOptions
    private let makeGate: @Sendable (Manifest) -> PolicyGate
    private let audit: AuditLog?
    private let diagnostics: Diagnostics
    /// The file as it was when last read.
    private let stamp: Mutex<FileStamp?>
    /// When the watched file is next looked at (monotonic milliseconds).
    private let nextLook = Mutex<Int64>(0)

    /// A reloader of `path`; `makeGate` builds a gate from a valid manifest (as at start), and
    /// `audit` records reloads that fail (a reload that applies is recorded by the gate).
    public init(path: String, options: ManifestLoadOptions = ManifestLoadOptions(), watches: Bool, audit: AuditLog?,
                diagnostics: Diagnostics = .standardError, makeGate: @escaping @Sendable (Manifest) -> PolicyGate) {
        self.path = path
        self.options = options
        self.watches = watches
        self.audit = audit
        self.diagnostics = diagnostics
        self.makeGate = makeGate
        stamp = Mutex(FileStamp(path: path))
    }

    /// When the I/O layer must next call ``watch(now:_:)`` (nil: the file is not watched).
    public func nextWatchDeadline() -> Int64? {
        watches ? nextLook.withLock { $0 } : nil
    }

    /// Looks at the watched file when it is time to, and reloads it when it changed.
    public func watch(now: Int64, _ swap: (PolicyGate) throws(ReloadRefusal) -> Void) {
        guard watches else { return }
        let due = nextLook.withLock { next in
            guard now >= next else { return false }
            next = now + Self.watchIntervalMilliseconds
            return true
        }
        if due { reloadIfChanged(swap) }
    }

    /// Reloads when the file changed since it was last read.
    public func reloadIfChanged(_ swap: (PolicyGate) throws(ReloadRefusal) -> Void) {
        let now = FileStamp(path: path)
        let changed = stamp.withLock { last in
            guard let now, now != last else { return false }
            last = now
            return true
        }
        if changed { reload(because: "\(path) changed", swap) }
    }

    /// Reads the manifest and hands its gate to `swap`, which puts it in place under the
    /// session's lock (or throws why it cannot); reports the outcome.
    public func reload(because cause: String, _ swap: (PolicyGate) throws(ReloadRefusal) -> Void) {
        stamp.withLock { $0 = FileStamp(path: path) }
        let manifest: Manifest
        do throws(ManifestError) {
            manifest = try ManifestLoader.load(path: path, options: options)
        } catch {
            let count = error.issues.count
            diagnostics.report("\(cause): not reloaded, \(count) problem\(count == 1 ? "" : "s") in the new manifest; the running policy stays\n\(error)")
            record(AuditRecord.reload(manifestSha256: nil, result: "invalid", reason: "\(error)"))
            return
        }
        do throws(ReloadRefusal) {
            try swap(makeGate(manifest))
        } catch {
            diagnostics.report("\(cause): not reloaded: \(error); the running policy stays")
            record(AuditRecord.reload(manifestSha256: manifest.sha256, result: "refused", reason: "\(error)"))
            return
        }
        let rules = manifest.tools.count
        diagnostics.report("\(cause): reloaded \(path) (\(rules) tool rule\(rules == 1 ? "" : "s"), default \(manifest.policy.defaultDecision.rawValue), \(manifest.policy.mode.rawValue) mode); calls decided before finish as decided")
    }

    private func record(_ record: AuditRecord) {
        do throws(AuditError) {
            try audit?.append(record)
        } catch {
            diagnostics.report("audit: cannot record the failed reload: \(error)")
        }
    }
}

/// What an aggregating gate knows of one child server: where its session stands, what it said
/// about itself when initialized, and its tool listing.
public struct HostChild: Sendable {
    /// Where the child's session stands.
    public enum Phase: Sendable, Equatable {
        /// Started; waiting for the client's `initialize` to initialize it in turn.
        case idle
        /// Tollgate sent it `initialize`.
        case initializing
        /// It refused `initialize`; Tollgate asked `server/discover` whether it is a stateless
        /// (2026-07-28) server.
        case discovering
        /// Initialized: requests are routed to it.
        case ready
        /// It refused `initialize` or answered it unusably: its calls are denied.
        case failed(String)
        /// Its process is gone (or never started): its calls are denied.
        case gone(String)
    }

    /// The server's name in the manifest.
    public var name: String
    /// Where its session stands.
    public var phase: Phase = .idle
    /// The `capabilities` of its `initialize` result.
    public var capabilities = JSONObject()
    /// The `instructions` of its `initialize` result.
    public var instructions: String?
    /// The `protocolVersion` it answered with (or the stateless version it was discovered with).
    public var protocolVersion: String?
    /// The era it speaks: a 2025-era session held by Tollgate, or stateless requests (each with
    /// the version in `_meta`).
    public var era = ProtocolEra.session
    /// Its tools, every page, as it last listed them (original names); nil: not known.
    public var tools: [JSONObject]?
    /// The pages of a listing in progress (nil: none in progress).
    var fetching: ListingPages?
    /// Its resources, resource templates and prompts, every page, as it last listed them.
    public var catalogs: [HostCatalog: [JSONObject]] = [:]
    /// The pages of catalog listings in progress.
    var catalogPages: [HostCatalog: ListingPages] = [:]
    /// A `list_changed` arrived while a listing was in progress: list again when it ends.
    var listAgain = false
    /// Tell the client its tool list changed once the listing in progress ends.
    var notifyWhenListed = false

    /// A child named `name`, started but not initialized yet.
    public init(name: String) {
        self.name = name
    }

    /// Why the child cannot take requests, or nil when it can.
    public var unavailableReason: String? {
        switch phase {
        case .ready: nil
        case .idle, .initializing, .discovering: "server \(name) is not initialized yet"
        case .failed(let why): "server \(name) failed to initialize (\(why))"
        case .gone(let why): "server \(name) is unavailable (\(why))"
        }
    }

    /// Whether the child still owes an answer to `initialize` (or to the `server/discover` after it).
    var isInitializing: Bool { phase == .initializing || phase == .discovering }
}

/// Every bound on what a peer (the client or a server) can make Tollgate keep, whatever it
/// sends: the tables of the relay and host sessions and the gate's memory of names. The README
/// lists them ("Bounded memory"). Sessions and gates take ``standard``; tests may pass smaller ones.
public struct PeerLimits: Sendable, Equatable {
    // MARK: Requests in flight (RelaySession, HostSession)

    /// The client's requests in flight at once: forwarded and not answered, held for approval,
    /// waiting for a server to be ready or a listing to end, or timed out and waiting (60 s) for
    /// their late answer. One more is answered with a JSON-RPC error.
    public var requestsInFlight = 4096
    /// The bytes of those requests' messages Tollgate keeps; one request alone is always taken.
    public var requestBytesInFlight = 64 << 20
    /// Calls held for approval at once (each may run an approver); more are denied.
    public var heldCalls = 64
    /// Servers' requests to the client in flight (the host's; the relay's sampling grants);
    /// more are answered with an error to the server.
    public var serverRequestsInFlight = 1024
    /// The bytes of their ids and progress tokens Tollgate keeps.
    public var serverRequestBytesInFlight = 16 << 20
    /// A stateless client's calls answered `input_required` and awaiting its retry (host).
    public var parkedCalls = 256
    /// A server's requests waiting for the next round of one parked call (host).
    public var inputsPerParkedCall = 16

    // MARK: Listings (HostSession)

    /// The items of one server's tool, resource, template or prompt listing (every page).
    public var listingItems = 10_000
    /// The bytes of one listing's pages.
    public var listingBytes = 32 << 20

    // MARK: The gate's memory of names (PolicyGate)

    /// Tool names whose rule decision is cached (later names are decided on each call).
    public var cachedNames = 1024
    /// The longest name cached (longer names are decided on each call).
    public var cachedNameBytes = 256
    /// Distinct tool names a server may list in a run; further ones are not offered.
    public var listedNames = 10_000
    /// The longest tool name offered to the client; a longer one is left out of `tools/list`.
    public var listedNameBytes = 512
    /// The largest `inputSchema` compiled; a larger one is reported and not checked (as one
    /// that cannot be compiled), calls are then checked by the manifest only.
    public var schemaBytes = 256 << 10
    /// All compiled `inputSchema`s together.
    public var schemaTotalBytes = 16 << 20
    /// The largest pinned definition kept to name what changed (larger: its digest only).
    public var pinnedDefinitionBytes = 64 << 10
    /// Problems remembered as reported once (64-bit hashes); past this the memory starts over.
    public var reportedOnce = 4096

    public init() {}

    /// The bounds Tollgate runs with.
    public static let standard = PeerLimits()

    /// The error for one more client request, costing `cost` bytes, when `count` requests of
    /// `bytes` are in flight already: over ``requestsInFlight`` or ``requestBytesInFlight`` (one
    /// request alone is always taken). Nil: it may go on.
    func refusal(inFlight count: Int, bytes: Int, adding cost: Int) -> JSONRPCError? {
        guard count >= requestsInFlight || (count > 0 && bytes + cost > requestBytesInFlight) else { return nil }
        return JSONRPCError(.internalError, "Tollgate: too many requests in flight (at most \(requestsInFlight), "
            + "and \(requestBytesInFlight >> 20) MiB of them, may wait for their answers); this one was not forwarded. Retry once earlier requests are answered.")
    }
}

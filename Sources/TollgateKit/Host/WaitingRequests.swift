/// The client's requests an aggregating session keeps while they wait for something other than
/// a child's answer: the children's handshakes, a listing in progress, a child's start, the
/// client's retry or its answers to a child's input requests. Every table of them is here, and
/// counted here (``count``, ``bytes``, ``holds(_:)``), so a table added cannot be left out of
/// the limits or the id check (WaitingRequestsTests checks every stored property is one of them).
///
/// The tables are empty but for moments, so a lookup walks them (linear in what is kept, which
/// ``PeerLimits`` bounds); ids are compared by ``RequestID``'s own `==` (exact bytes).
struct WaitingRequests: Sendable {
    /// The client's `initialize` waiting for the children, with the version chosen.
    var initialize: (id: RequestID, version: String)?
    /// The client's `tools/list` requests waiting for listings in progress.
    var lists: [RequestID] = []
    /// The client's list requests for resources, templates or prompts waiting for listings in
    /// progress.
    var catalogs: [(id: RequestID, catalog: HostCatalog)] = []
    /// Calls to a child that is starting again (its handshake after a restart), by child: sent
    /// once it is ready, answered `server_unavailable` if it fails.
    var forStart: [Int: [ToolCall]] = [:]
    /// A stateless client's requests waiting for the children to be initialized (``defer(_:)``).
    private(set) var deferred: [HostSession.DeferredRequest] = []
    /// What keeping ``deferred`` costs.
    private(set) var deferredBytes = 0
    /// Calls whose stateless client was answered `input_required` (a 2025-era child asked it
    /// something), by the `requestState` given out; the child's call goes on meanwhile.
    var parkedCalls: [ProtocolName: HostSession.ParkedCall] = [:]
    /// The `requestState` of each parked call, by gate-owned id (an index of ``parkedCalls``).
    var parkedByGate: [RequestID: ProtocolName] = [:]
    /// 2025-era clients' calls whose stateless child asked for input, by client id
    /// (HostSession+InputRounds).
    var inputRounds: [RequestID: HostSession.InputRound] = [:]

    /// How many requests wait.
    var count: Int {
        var count = (initialize == nil ? 0 : 1) + lists.count + catalogs.count + deferred.count + parkedCalls.count + inputRounds.count
        for calls in forStart.values { count += calls.count }
        return count
    }

    /// What keeping them costs: their ids, and their messages (calls) or params.
    var bytes: Int {
        var bytes = deferredBytes + (initialize?.id.byteCount ?? 0)
        for id in lists { bytes += id.byteCount }
        for (id, _) in catalogs { bytes += id.byteCount }
        for calls in forStart.values {
            for call in calls { bytes += call.id.byteCount + call.messageBytes }
        }
        for parked in parkedCalls.values { bytes += parked.call.id.byteCount + parked.call.messageBytes }
        for round in inputRounds.values { bytes += round.call.id.byteCount + round.call.messageBytes }
        return bytes
    }

    /// Whether a client request with `id` waits unanswered. A parked call is not: its client was
    /// answered `input_required`, and retries under an id of its own.
    func holds(_ id: RequestID) -> Bool {
        initialize?.id == id || lists.contains(id) || catalogs.contains { $0.id == id } || deferred.contains { $0.id == id }
            || forStart.values.contains { $0.contains { $0.id == id } } || inputRounds[id] != nil
    }

    /// Keeps a stateless client's request until the children are initialized.
    mutating func `defer`(_ request: HostSession.DeferredRequest) {
        deferred.append(request)
        deferredBytes += request.retainedBytes
    }

    /// Takes the stateless client's deferred requests, in the order they came.
    mutating func takeDeferred() -> [HostSession.DeferredRequest] {
        defer { deferred = []; deferredBytes = 0 }
        return deferred
    }

    /// Takes out the call `id` waiting for its child's start (its line not sent); false when
    /// none waits.
    mutating func withdraw(call id: RequestID) -> Bool {
        for (child, calls) in forStart {
            if let index = calls.firstIndex(where: { $0.id == id }) {
                forStart[child]?.remove(at: index)
                return true
            }
        }
        return false
    }
}

/// The id spaces of an aggregating gate: the client has one, every child has its own, and
/// Tollgate owns the ids it writes into each. Nothing here does I/O.
///
/// Toward the children, every request Tollgate forwards gets a fresh gate-owned number (unique
/// across all children); the child's response is matched by that number *and* by the child it
/// came from, and maps back to the client's exact original id bytes. Toward the client, every
/// request a child makes (sampling, elicitation, roots, ping) gets a fresh gate-owned string id
/// (`"tg-N"`); the client's response is routed back to the child that asked, with the child's
/// own id. Progress tokens travel the same way: each request's token is replaced by a gate-owned
/// one (`"tgp-N"`) that maps back to the original and to the one peer allowed to use it.
///
/// An id or token the map does not know is reported as unknown: the caller logs and drops it,
/// so nothing is ever delivered to the wrong party.
public struct IDMap<Purpose: Sendable>: Sendable {
    /// A request Tollgate forwarded (or sent on its own account) to a child.
    public struct Forwarded: Sendable {
        /// The child it went to.
        public var child: Int
        /// The client's id, exactly as written; nil for Tollgate's own requests.
        public var clientID: RequestID?
        /// What the answer is for.
        public var purpose: Purpose
        /// The client's progress token, replaced by a gate-owned one on the way out.
        public var progressToken: JSONValue?
        /// The gate-owned token that replaced it.
        var gateToken: JSONValue?
        /// The gate-owned id the child knows the request by.
        public var gateID: RequestID
        /// What keeping it costs (see ``IDMap/childBoundBytes``).
        var bytes = 0
    }

    /// What a child's response id means.
    public enum Answer: Sendable {
        /// The answer to this request (now removed from the map).
        case forwarded(Forwarded)
        /// No request of this child has this id: drop the response.
        case unknown
    }

    /// A request a child made that was forwarded to the client.
    public struct ChildRequest: Sendable, Equatable {
        /// The child that asked.
        public var child: Int
        /// The child's id, exactly as written.
        public var childID: RequestID
        /// The child's progress token, replaced by a gate-owned one toward the client.
        public var progressToken: JSONValue?
        var gateToken: JSONValue?
        /// What keeping it costs (see ``IDMap/clientBoundBytes``).
        var bytes = 0

        /// Requests are equal when they come from the same child under the same id and token.
        public static func == (lhs: ChildRequest, rhs: ChildRequest) -> Bool {
            lhs.child == rhs.child && lhs.childID == rhs.childID && lhs.progressToken == rhs.progressToken && lhs.gateToken == rhs.gateToken
        }
    }

    /// Where a gate-owned progress token leads.
    struct ProgressRoute: Sendable {
        /// The child allowed to use (child-bound requests) or to receive (client-bound) the token.
        var child: Int
        /// The token as its owner wrote it.
        var original: JSONValue
    }

    private struct ChildKey: Hashable, Sendable {
        var child: Int
        var id: RequestID
    }

    private var nextChildBoundID: UInt64 = 1
    private var nextClientBoundID: UInt64 = 1
    private var nextToken: UInt64 = 1
    /// Gate-owned id → the request forwarded to a child.
    private var toChildren: [RequestID: Forwarded] = [:]
    /// Client id → gate-owned id, for cancellation and duplicate ids.
    private var byClientID: [RequestID: RequestID] = [:]
    /// Gate-owned id (toward the client) → the child's request.
    private var toClient: [RequestID: ChildRequest] = [:]
    /// (child, child id) → gate-owned id toward the client, for the child's cancellations.
    private var byChildID: [ChildKey: RequestID] = [:]
    /// Gate-owned tokens of requests to children: a child's progress goes to the client.
    private var clientTokens: [JSONValue: ProgressRoute] = [:]
    /// Gate-owned tokens of requests to the client: the client's progress goes to a child.
    private var childTokens: [JSONValue: ProgressRoute] = [:]

    /// An empty map.
    public init() {}

    /// How many requests to children are in flight.
    public var childBoundCount: Int { toChildren.count }
    /// How many requests to the client are in flight.
    public var clientBoundCount: Int { toClient.count }
    /// What keeping the requests to children costs: the bytes given for each (its message, for a
    /// client's call), its client id and progress token.
    public private(set) var childBoundBytes = 0
    /// What keeping the requests to the client costs: the children's ids and progress tokens.
    public private(set) var clientBoundBytes = 0

    /// The bytes of an id and a progress token kept for a request.
    private static func cost(_ id: RequestID?, _ token: JSONValue?) -> Int {
        (id?.byteCount ?? 0) + (token?.approximateSize(limit: .max) ?? 0)
    }

    // MARK: - Client (or Tollgate) to child

    /// Records a request to `child` and returns the gate-owned id to write in it, and the
    /// gate-owned progress token to write instead of `progressToken` (when there is one).
    /// `bytes` is what keeping `purpose` costs (counted in ``childBoundBytes``).
    public mutating func forward(to child: Int, clientID: RequestID?, purpose: Purpose,
                                 progressToken: JSONValue? = nil, bytes: Int = 0) -> (id: RequestID, progressToken: JSONValue?) {
        let id = Self.numberID(nextChildBoundID)
        nextChildBoundID += 1
        var entry = Forwarded(child: child, clientID: clientID, purpose: purpose, progressToken: progressToken, gateID: id,
                              bytes: bytes + Self.cost(clientID, progressToken))
        childBoundBytes += entry.bytes
        if let progressToken {
            let token = makeToken()
            clientTokens[token] = ProgressRoute(child: child, original: progressToken)
            entry.gateToken = token
        }
        toChildren[id] = entry
        if let clientID { byClientID[clientID] = id }
        return (id, entry.gateToken)
    }

    /// Whether a request of the client with this id is still in flight.
    public func isInFlight(clientID: RequestID) -> Bool { byClientID[clientID] != nil }

    /// The request `child` answered with `id`; a response naming another child's id, or an id
    /// never given out, is unknown.
    public mutating func answer(from child: Int, id: RequestID) -> Answer {
        guard let entry = toChildren[id], entry.child == child else { return .unknown }
        toChildren[id] = nil
        release(entry)
        return .forwarded(entry)
    }

    /// Takes the request sent under gate-owned `id`, whichever child it went to (its timeout
    /// expired: a later response to `id` is then unknown).
    public mutating func take(id: RequestID) -> Forwarded? {
        guard let entry = toChildren.removeValue(forKey: id) else { return nil }
        release(entry)
        return entry
    }

    /// The requests in flight to `child`, oldest first.
    public func forwarded(to child: Int) -> [Forwarded] {
        toChildren.values.filter { $0.child == child }.sorted { Self.order($0.gateID) < Self.order($1.gateID) }
    }

    /// Gives the request in flight under gate-owned `id` another client id (nil: none, the
    /// client's request was answered while the child's goes on) and purpose; false when unknown.
    @discardableResult
    public mutating func rebind(_ id: RequestID, clientID: RequestID?, purpose: Purpose) -> Bool {
        guard var entry = toChildren[id] else { return false }
        if let old = entry.clientID { byClientID[old] = nil }
        entry.clientID = clientID
        entry.purpose = purpose
        if let clientID { byClientID[clientID] = id }
        toChildren[id] = entry
        return true
    }

    /// Where the client's `notifications/cancelled` for its request `clientID` goes: the child
    /// and the gate-owned id it knows the request by.
    public func cancellation(ofClientID clientID: RequestID) -> (child: Int, id: RequestID)? {
        guard let id = byClientID[clientID], let entry = toChildren[id] else { return nil }
        return (entry.child, id)
    }

    /// The client's token for a progress notification `child` sent with gate-owned `token`;
    /// nil when the token is unknown or belongs to another child's request.
    public func progressFromChild(_ child: Int, token: JSONValue) -> JSONValue? {
        guard let route = clientTokens[token], route.child == child else { return nil }
        return route.original
    }

    /// Forgets every request of `child` (it is gone) and returns them, oldest first, so each can
    /// be answered; requests the child made to the client are forgotten too (their gate-owned ids
    /// are returned so the client can be told they are cancelled).
    public mutating func removeAll(child: Int) -> (forwarded: [Forwarded], clientBound: [RequestID]) {
        let ids = toChildren.filter { $0.value.child == child }.keys.sorted { Self.order($0) < Self.order($1) }
        var forwarded: [Forwarded] = []
        for id in ids {
            if let entry = toChildren.removeValue(forKey: id) {
                release(entry)
                forwarded.append(entry)
            }
        }
        var clientBound: [RequestID] = []
        for (id, request) in toClient where request.child == child {
            toClient[id] = nil
            clientBoundBytes -= request.bytes
            byChildID[ChildKey(child: child, id: request.childID)] = nil
            if let token = request.gateToken { childTokens[token] = nil }
            clientBound.append(id)
        }
        return (forwarded, clientBound.sorted { Self.order($0) < Self.order($1) })
    }

    private mutating func release(_ entry: Forwarded) {
        childBoundBytes -= entry.bytes
        if let clientID = entry.clientID { byClientID[clientID] = nil }
        if let token = entry.gateToken { clientTokens[token] = nil }
    }

    // MARK: - Child to client

    /// Records a request `child` makes of the client; returns the gate-owned id to write in it
    /// and the gate-owned progress token replacing the child's (when there is one).
    public mutating func forwardToClient(from child: Int, childID: RequestID,
                                         progressToken: JSONValue? = nil) -> (id: RequestID, progressToken: JSONValue?) {
        let id = Self.stringID("tg-\(nextClientBoundID)")
        nextClientBoundID += 1
        var request = ChildRequest(child: child, childID: childID, progressToken: progressToken, bytes: Self.cost(childID, progressToken))
        clientBoundBytes += request.bytes
        if let progressToken {
            let token = makeToken()
            childTokens[token] = ProgressRoute(child: child, original: progressToken)
            request.gateToken = token
        }
        toClient[id] = request
        byChildID[ChildKey(child: child, id: childID)] = id
        return (id, request.gateToken)
    }

    /// Whether `child` has a request with this id in flight toward the client.
    public func isInFlight(child: Int, childID: RequestID) -> Bool {
        byChildID[ChildKey(child: child, id: childID)] != nil
    }

    /// The child request the client answered with `id` (removed); nil when unknown.
    public mutating func clientAnswer(id: RequestID) -> ChildRequest? {
        guard let request = toClient.removeValue(forKey: id) else { return nil }
        clientBoundBytes -= request.bytes
        byChildID[ChildKey(child: request.child, id: request.childID)] = nil
        if let token = request.gateToken { childTokens[token] = nil }
        return request
    }

    /// The gate-owned id toward the client of the request `child` cancels (removed: the client
    /// is not expected to answer it); nil when unknown.
    public mutating func cancellation(fromChild child: Int, childID: RequestID) -> RequestID? {
        guard let id = byChildID.removeValue(forKey: ChildKey(child: child, id: childID)) else { return nil }
        if let request = toClient.removeValue(forKey: id) {
            clientBoundBytes -= request.bytes
            if let token = request.gateToken { childTokens[token] = nil }
        }
        return id
    }

    /// Where a progress notification of the client with gate-owned `token` goes: the child and
    /// its own token; nil when unknown.
    public func progressFromClient(token: JSONValue) -> (child: Int, token: JSONValue)? {
        childTokens[token].map { ($0.child, $0.original) }
    }

    // MARK: - Gate-owned values

    private mutating func makeToken() -> JSONValue {
        defer { nextToken += 1 }
        return .string("tgp-\(nextToken)")
    }

    /// The order gate-owned ids were given out in (their number).
    private static func order(_ id: RequestID) -> UInt64 {
        UInt64(String(id.description.filter(\.isNumber))) ?? 0
    }

    /// A number id, as its JSON bytes.
    static func numberID(_ value: UInt64) -> RequestID {
        RequestID(bytes: Array(String(value).utf8), isString: false, hasEscapes: false)
    }

    /// A string id (plain ASCII, no escapes), as its JSON bytes.
    static func stringID(_ value: String) -> RequestID {
        RequestID(bytes: Array("\"\(value)\"".utf8), isString: true, hasEscapes: false)
    }
}

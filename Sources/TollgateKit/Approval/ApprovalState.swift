/// The session's approval state: calls held for approval (by the client's id) and the requests
/// Tollgate itself sent the client (by Tollgate's id).
///
/// Tollgate's own request ids are strings `tollgate-<nonce>-<n>`, where the nonce is random per
/// session and never sent to the server; still, the session tracks every id it issued and routes
/// a client response to Tollgate only when its id is one of them, and refuses a server request
/// that reuses an id in this set while it is outstanding, so the two id spaces that share the
/// direction to the client can never be confused.
public struct ApprovalState: Sendable {
    /// Held calls, by the client's request id.
    public private(set) var held: [RequestID: HeldCall] = [:]
    /// What the held calls cost together: their ids and messages (``ToolCall/messageBytes``).
    public private(set) var heldBytes = 0
    /// Tollgate's outstanding requests to the client → the held call they are about.
    public private(set) var requests: [RequestID: RequestID] = [:]
    /// Running approvers → the held call they are about.
    public private(set) var approvers: [Int: RequestID] = [:]
    /// Whether the client declared the elicitation capability (`initialize`).
    public var clientCanElicit = false
    private let nonce: String
    private var counter = 0

    /// Creates the state; `nonce` makes Tollgate's request ids unguessable (random by default).
    public init(nonce: String = String(AuditRunID.random().prefix(16))) {
        self.nonce = nonce
    }

    /// Whether anything waits for an answer.
    public var isEmpty: Bool { held.isEmpty }

    /// Whether Tollgate ever sent the client a request of its own (then late answers may come).
    public var hasAsked: Bool { everAsked }
    private var everAsked = false

    /// The bytes every id of Tollgate's requests starts with (its opening quote included).
    private var idPrefix: [UInt8] { Array("\"tollgate-\(nonce)-".utf8) }

    /// Whether `id` is one Tollgate issued (outstanding or not): the nonce is never sent to the
    /// server, so only an answer to Tollgate can carry it.
    func isOwnID(_ id: RequestID) -> Bool {
        id.withBytes { $0.starts(with: idPrefix) }
    }

    /// Holds a call to be approved by the client; returns Tollgate's request id for it.
    mutating func holdForClient(_ call: ToolCall, _ hold: ApprovalHold) -> RequestID {
        counter += 1
        let text = "tollgate-\(nonce)-\(counter)"
        let id = RequestID(bytes: Array("\"\(text)\"".utf8), isString: true, hasEscapes: false)
        keep(HeldCall(call: call, hold: hold, route: .elicitation(id)))
        requests[id] = call.id
        everAsked = true
        return id
    }

    /// Holds a call to be approved by a local approver; returns the approver's token.
    mutating func holdForCommand(_ call: ToolCall, _ hold: ApprovalHold, command: [String]) -> Int {
        counter += 1
        keep(HeldCall(call: call, hold: hold, route: .command(token: counter, command: command)))
        approvers[counter] = call.id
        return counter
    }

    private mutating func keep(_ heldCall: HeldCall) {
        var call = heldCall
        // Forwarded later, from another line's actions: where its params were is meaningless there.
        call.call = heldCall.call.keptBeyondItsLine
        if let replaced = held.updateValue(call, forKey: call.call.id) { heldBytes -= Self.cost(of: replaced) }
        heldBytes += Self.cost(of: call)
    }

    private static func cost(of held: HeldCall) -> Int { held.call.id.byteCount + held.call.messageBytes }

    /// The outcome a call gets instead of being held when `limit` calls are held already (nil:
    /// it may be held).
    func overflow(limit: Int) -> ApprovalOutcome? {
        guard held.count >= limit else { return nil }
        return ApprovalOutcome(approved: false, source: .abandoned,
                               detail: "\(held.count) calls already wait for approval, the most Tollgate holds at once")
    }

    /// Takes the held call an answer is for: by Tollgate's request id, by approver token, or by
    /// the call's own id (a timeout, the server gone).
    mutating func release(request id: RequestID) -> HeldCall? {
        guard let callID = requests[id] else { return nil }
        return release(call: callID)
    }

    mutating func release(approver token: Int) -> HeldCall? {
        guard let callID = approvers[token] else { return nil }
        return release(call: callID)
    }

    mutating func release(call id: RequestID) -> HeldCall? {
        guard let call = held.removeValue(forKey: id) else { return nil }
        heldBytes -= Self.cost(of: call)
        switch call.route {
        case .elicitation(let request): requests.removeValue(forKey: request)
        case .command(let token, _): approvers.removeValue(forKey: token)
        }
        return call
    }

    /// Takes every held call (the server went away).
    mutating func releaseAll() -> [HeldCall] {
        defer { held.removeAll(); requests.removeAll(); approvers.removeAll(); heldBytes = 0 }
        return Array(held.values)
    }

    /// Whether `id` is one of Tollgate's outstanding requests to the client.
    func isOwnRequest(_ id: RequestID) -> Bool { requests[id] != nil }
}

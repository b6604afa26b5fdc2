/// The one place that knows what is in flight: request id → what to do with its response.
public struct PendingTable: Sendable {
    private var entries: [RequestID: PendingRequest] = [:]

    public init() {}

    /// The number of requests in flight.
    public var count: Int { entries.count }

    /// Whether a request with this id is in flight.
    public func contains(_ id: RequestID) -> Bool { entries[id] != nil }

    /// Records a forwarded request.
    public mutating func insert(_ request: PendingRequest) {
        entries[request.clientID] = request
    }

    /// Takes the entry a response answers, if any.
    public mutating func remove(_ id: RequestID) -> PendingRequest? {
        entries.removeValue(forKey: id)
    }

    /// Takes every entry (when the server went away).
    public mutating func removeAll() -> [PendingRequest] {
        defer { entries.removeAll() }
        return Array(entries.values)
    }
}

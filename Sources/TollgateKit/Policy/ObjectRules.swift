/// `properties`, `required`, `additionalProperties`, prepared so that checking an object is one
/// pass over its members (plus a scan per required name that is not also a property).
struct ObjectRules: Sendable {
    /// What `additionalProperties` says about members not named in `properties`.
    enum Additional: Sendable {
        case allowed
        case forbidden
        case schema(SchemaNode)
    }

    /// `properties`, in schema order, and their schemas.
    var propertyNames: [ExactName] = []
    var propertySchemas: [SchemaNode] = []
    /// `required`, in schema order.
    var required: [ExactName] = []
    var additional: Additional = .allowed
    /// Index into `propertyNames` by name, built only for many properties (a scan is faster for few).
    private(set) var propertyIndex: [ProtocolName: Int]?
    /// Bit `i` set: property `i` (below 64) is required.
    private(set) var requiredMask: UInt64 = 0
    /// Whether some required name is not among the first 64 properties (then presence is checked by scanning).
    private(set) var requiresScan = false

    /// Prepares the index and the required mask once all keywords are set.
    mutating func finish() {
        if propertyNames.count > 8 {
            var index: [ProtocolName: Int] = [:]
            for (offset, name) in propertyNames.enumerated() where index[ProtocolName(name.text)] == nil { index[ProtocolName(name.text)] = offset }
            propertyIndex = index
        }
        for name in required {
            if let index = propertyNames.firstIndex(where: { $0.matches(name.text) }), index < 64 {
                requiredMask |= 1 << UInt64(index)
            } else {
                requiresScan = true
            }
        }
    }

    /// The index of the property named exactly `key`, or nil.
    @inline(__always)
    func propertyIndex(of key: String) -> Int? {
        if let propertyIndex { return propertyIndex[ProtocolName(key)] }
        for index in propertyNames.indices where propertyNames[index].matches(key) { return index }
        return nil
    }
}

extension JSONScanner {
    /// The keys of an object read member by member outside ``skipValue(depth:)`` (the envelope's
    /// members JSON-RPC does not define), checked for duplicates. Most messages have none, so it
    /// allocates nothing until the first one.
    struct ExtraKeys {
        private var keys: [StringToken] = []
        private var index: [UInt64: [StringToken]]?

        /// Whether no key was added.
        var isEmpty: Bool { keys.isEmpty && index == nil }

        /// Adds a key, failing if the object has it already.
        mutating func insert(_ key: StringToken, at keyStart: Int, scanner: JSONScanner) throws(JSONScanError) {
            if index == nil {
                for other in keys where scanner.isSameKey(other, key) {
                    throw JSONScanError(.duplicateKey(scanner.decodeString(key)), at: keyStart)
                }
                keys.append(key)
                guard keys.count > JSONScanner.inlineKeys else { return }
                // Many keys: compare by hash from now on.
                var spilled: [UInt64: [StringToken]] = [:]
                for other in keys { spilled[scanner.hashOfDecoded(other), default: []].append(other) }
                index = spilled
                keys = []
                return
            }
            let hash = scanner.hashOfDecoded(key)
            for other in index![hash] ?? [] where scanner.sameDecodedContent(other, key) {
                throw JSONScanError(.duplicateKey(scanner.decodeString(key)), at: keyStart)
            }
            index![hash, default: []].append(key)
        }
    }
}

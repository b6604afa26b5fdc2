extension JSONScanner {
    /// The keys of an object read member by member outside ``skipValue(depth:)`` (the envelope's
    /// members JSON-RPC does not define), checked for duplicates. Most messages have none, so it
    /// allocates nothing until the first one.
    struct ExtraKeys {
        private var keys: [StringToken] = []
        private var spilled: KeySet?

        /// Whether no key was added.
        var isEmpty: Bool { keys.isEmpty && spilled == nil }

        /// Adds a key, failing if the object has it already.
        mutating func insert(_ key: StringToken, at keyStart: Int, scanner: JSONScanner) throws(JSONScanError) {
            if spilled == nil {
                for other in keys where scanner.isSameKey(other, key) {
                    throw JSONScanError(.duplicateKey(scanner.decodeString(key)), at: keyStart)
                }
                keys.append(key)
                guard keys.count > JSONScanner.inlineKeys else { return }
                // Many keys: a key set from now on.
                var set = KeySet()
                for other in keys { try set.insert(other, at: other.content.lowerBound - 1, scanner: scanner) }
                spilled = set
                keys = []
                return
            }
            try spilled!.insert(key, at: keyStart, scanner: scanner)
        }

        /// Finishes the check when the object closed (see ``KeySet/finish(scanner:)``).
        func finish(scanner: JSONScanner) throws(JSONScanError) {
            try spilled?.finish(scanner: scanner)
        }
    }
}

extension Array where Element == UInt8 {
    /// These bytes with the first occurrence of `line` (a whole line) taken out, or nil when it
    /// does not occur at a line's start.
    func removingFirst(_ line: [UInt8]) -> [UInt8]? {
        guard !line.isEmpty, line.count <= count else { return nil }
        var start = 0
        while start + line.count <= count {
            if self[start..<start + line.count].elementsEqual(line) {
                return Array(self[..<start]) + Array(self[(start + line.count)...])
            }
            guard let newline = self[start...].firstIndex(of: 0x0A) else { return nil }
            start = newline + 1
        }
        return nil
    }
}

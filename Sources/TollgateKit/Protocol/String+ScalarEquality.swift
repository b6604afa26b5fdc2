#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension String {
    /// Whether both strings hold the same Unicode scalars, byte for byte. Unlike `==`, this does not
    /// treat canonically equivalent strings (`"é"` and `"e\u{301}"`) as equal, which is what JSON
    /// and the tools behind Tollgate do.
    @inline(__always)
    func hasSameScalars(as other: String) -> Bool {
        let count = utf8.count
        guard count == other.utf8.count else { return false }
        let equal = utf8.withContiguousStorageIfAvailable { lhs in
            other.utf8.withContiguousStorageIfAvailable { rhs in
                count == 0 || memcmp(lhs.baseAddress!, rhs.baseAddress!, count) == 0
            }
        }
        if let equal, let equal { return equal }
        return utf8.elementsEqual(other.utf8)
    }

    /// Feeds the string's UTF-8 bytes to `hasher` (the hash that goes with ``hasSameScalars(as:)``).
    func hashScalars(into hasher: inout Hasher) {
        var text = self
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

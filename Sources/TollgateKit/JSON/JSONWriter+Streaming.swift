#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension JSONWriter {
    /// A streaming writer hands on what it holds once that reaches its chunk (a plain writer keeps all).
    @inline(__always)
    mutating func handOnIfFull() {
        if bytes.count >= chunk { handOn() }
    }

    /// Hands the bytes held on to the sink: a streaming writer's last step (a plain writer keeps them).
    public mutating func finish() {
        guard sink != nil, !bytes.isEmpty else { return }
        handOn()
    }

    private mutating func handOn() {
        guard let sink else { return }
        bytes.withUnsafeBytes(sink)
        bytes.removeAll(keepingCapacity: true)
    }

    /// Whether `value` serializes to exactly `expected` (compared piece by piece as it is
    /// written, so a large value is never held whole).
    public static func serializes(_ value: JSONValue, as expected: UnsafeRawBufferPointer) -> Bool {
        var compared = 0
        var same = true
        var writer = JSONWriter(chunk: 64 << 10) { piece in
            guard same else { return }
            same = compared + piece.count <= expected.count
                && memcmp(expected.baseAddress! + compared, piece.baseAddress!, piece.count) == 0
            compared += piece.count
        }
        writer.write(value)
        writer.finish()
        return same && compared == expected.count
    }
}

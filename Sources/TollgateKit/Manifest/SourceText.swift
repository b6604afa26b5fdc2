/// The text of a manifest file, able to turn byte offsets into 1-based lines and columns.
public struct SourceText: Sendable {
    /// The file's path as the user gave it.
    public let path: String
    /// The file's bytes.
    public let bytes: [UInt8]
    private let lineStarts: [Int]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        for (index, byte) in bytes.enumerated() where byte == 0x0A { starts.append(index + 1) }
        lineStarts = starts
    }

    /// The 1-based line and column of a byte offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
        }
        return (low + 1, offset - lineStarts[low] + 1)
    }

    /// Parses the whole text as JSON with comments and trailing commas.
    public func parse() throws(JSONScanError) -> SourceValue {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(JSONScanError) -> SourceValue in
                var scanner = JSONScanner(buffer)
                scanner.allowsCommentsAndTrailingCommas = true
                scanner.skipWhitespace()
                guard scanner.position < buffer.count else { throw JSONScanError(.empty, at: 0) }
                let value = try scanner.parseSourceValue()
                try scanner.expectEndOfDocument()
                return value
            }
        }
        return try result.get()
    }
}

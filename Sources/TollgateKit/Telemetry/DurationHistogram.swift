/// One cumulative histogram data point with explicit bucket bounds.
struct DurationHistogram: Sendable, Equatable {
    /// The bounds of `mcp.server.operation.duration`, in seconds, as the MCP semantic conventions
    /// give them.
    static let operationBounds: [Double] = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]

    /// One count per bucket: `bounds.count + 1` (the last one above the last bound).
    private(set) var bucketCounts: [UInt64]
    private(set) var count: UInt64 = 0
    private(set) var sum: Double = 0
    private(set) var min: Double = .infinity
    private(set) var max: Double = -.infinity
    let bounds: [Double]

    init(bounds: [Double] = DurationHistogram.operationBounds) {
        self.bounds = bounds
        bucketCounts = Array(repeating: 0, count: bounds.count + 1)
    }

    /// Counts one value: in the first bucket whose upper bound it does not pass (bounds are inclusive).
    mutating func record(_ value: Double) {
        var index = bounds.count
        for (position, bound) in bounds.enumerated() where value <= bound {
            index = position
            break
        }
        bucketCounts[index] += 1
        count += 1
        sum += value
        min = Swift.min(min, value)
        max = Swift.max(max, value)
    }
}

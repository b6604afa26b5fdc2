/// The Unicode scalars one step of a regular expression accepts: a class (`[a-z\d]`, `[^…]`), an
/// escape (`\w`, `\p{Lu}`) or `.`. Ranges of scalar values and General_Category values, unioned,
/// then possibly negated.
struct ScalarSet: Hashable, Sendable {
    /// Sorted, non-overlapping, non-adjacent ranges of scalar values.
    let ranges: [ClosedRange<UInt32>]
    /// Categories whose scalars belong too.
    let categories: GeneralCategories
    /// Whether the set is everything but the ranges and categories (`[^…]`).
    let isNegated: Bool
    /// Membership of the ASCII scalars 0–63 and 64–127, negation applied: one bit each.
    private let lowASCII: UInt64
    private let highASCII: UInt64

    /// The set of the scalars in `ranges` (in any order, possibly overlapping) or in `categories`,
    /// or of all the others when `negated`.
    init(ranges: [ClosedRange<UInt32>], categories: GeneralCategories = [], negated: Bool = false) {
        let merged = Self.merged(ranges)
        self.ranges = merged
        self.categories = categories
        self.isNegated = negated
        var bits: (UInt64, UInt64) = (0, 0)
        for value in UInt32(0)..<128 {
            let inside = Self.inRanges(merged, value) || categories.contains(scalar: value)
            guard inside != negated else { continue }
            if value < 64 { bits.0 |= 1 << UInt64(value) } else { bits.1 |= 1 << UInt64(value - 64) }
        }
        (lowASCII, highASCII) = bits
    }

    /// Whether the scalar with value `value` is in the set.
    @inline(__always)
    func contains(_ value: UInt32) -> Bool {
        if value < 64 { return lowASCII & (1 << UInt64(value)) != 0 }
        if value < 128 { return highASCII & (1 << UInt64(value - 64)) != 0 }
        let inside = Self.inRanges(ranges, value) || (!categories.isEmpty && categories.contains(scalar: value))
        return inside != isNegated
    }

    /// The ranges of all scalar values not in `ranges` (which must be merged), from 0 to 0x10FFFF.
    static func complement(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for range in merged(ranges) {
            if range.lowerBound > next { result.append(next...(range.lowerBound - 1)) }
            next = range.upperBound + 1
        }
        if next <= 0x10FFFF { result.append(next...0x10FFFF) }
        return result
    }

    /// `ranges` sorted, with overlapping and adjacent ones joined.
    private static func merged(_ ranges: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var result: [ClosedRange<UInt32>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound <= last.upperBound &+ 1 {
                result[result.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// Binary search of sorted, disjoint ranges.
    @inline(__always)
    private static func inRanges(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if value < ranges[middle].lowerBound {
                high = middle
            } else if value > ranges[middle].upperBound {
                low = middle + 1
            } else {
                return true
            }
        }
        return false
    }
}

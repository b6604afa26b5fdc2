#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The memory of a ``LineFramer``: address space for its largest content reserved at once, and
/// made usable as the content grows, so that a growing line is never copied to a larger buffer
/// and the buffer holds in RAM only the pages written to (a reserved page costs no memory, and a
/// usable one none until it is written). After a large line the pages are given back.
final class LineBuffer {
    /// The start of the reservation.
    let base: UnsafeMutableRawPointer
    /// The bytes reserved (a multiple of the page size).
    let reserved: Int
    /// The bytes from ``base`` that may be read and written (a multiple of the page size).
    private(set) var usable = 0

    /// The page size.
    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Reserves `reserving` bytes (rounded up to pages) and makes the first `usable` usable;
    /// nil when the address space cannot be had.
    init?(reserving: Int, usable: Int) {
        let size = Self.pages(reserving)
        // PROT_NONE: the kernel counts nothing against the commit limit until pages become usable.
        guard let mapped = mmap(nil, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), mapped != MAP_FAILED else {
            return nil
        }
        base = mapped
        reserved = size
        guard makeUsable(usable) else { return nil }
    }

    deinit { munmap(base, reserved) }

    /// Makes at least `count` bytes usable (within the reservation); false when the system
    /// refuses the memory.
    func makeUsable(_ count: Int) -> Bool {
        let wanted = min(Self.pages(count), reserved)
        guard wanted > usable else { return true }
        guard mprotect(base + usable, wanted - usable, PROT_READ | PROT_WRITE) == 0 else { return false }
        usable = wanted
        return true
    }

    /// Gives back the pages after the first `count` bytes (rounded up to pages): their memory is
    /// freed and they are no longer usable.
    func release(above count: Int) {
        let kept = Self.pages(count)
        guard kept < usable else { return }
        _ = madvise(base + kept, usable - kept, MADV_DONTNEED)
        _ = mprotect(base + kept, usable - kept, PROT_NONE)
        usable = kept
    }

    /// A new buffer of the same reservation holding a copy of `range`'s bytes at the same offsets.
    func copy(keeping range: Range<Int>) -> LineBuffer? {
        guard let copy = LineBuffer(reserving: reserved, usable: usable) else { return nil }
        (copy.base + range.lowerBound).copyMemory(from: base + range.lowerBound, byteCount: range.count)
        return copy
    }

    /// `count` rounded up to whole pages.
    static func pages(_ count: Int) -> Int {
        (max(count, 1) + pageSize - 1) / pageSize * pageSize
    }
}

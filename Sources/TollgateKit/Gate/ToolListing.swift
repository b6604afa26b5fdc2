/// The names a server lists, page by page, and the names it listed twice. Pure state: the gate
/// feeds it each page of a `tools/list` result with the cursor that asked for it.
///
/// A listing is a first page (asked without a cursor) and the pages its `nextCursor`s lead to. A
/// name that comes twice in one listing, on one page or on two, is ambiguous: the client would
/// see one definition and the server might run the other. It stays ambiguous for the rest of the
/// run, whatever later listings show (a server that lists two tools under one name is not to be
/// trusted with that name; restart after review).
struct ToolListing: Sendable {
    /// What one page brought.
    struct Page: Sendable, Equatable {
        /// Names found listed twice with this page (not before), in page order.
        var listedTwice: [String] = []
        /// Whether the listing holds more names than are tracked: the whole page is withheld.
        var overflows = false
    }

    /// The most names one listing may hold; a longer one is withheld from there on.
    static let maximumNames = 100_000
    /// The most listings followed at once (the oldest is forgotten first).
    static let maximumListings = 16

    /// The names found listed twice.
    private(set) var ambiguous: Set<ProtocolName> = []
    /// Listings in progress: the names seen so far (nil: too many), by the cursor that continues them.
    private var inProgress: [(cursor: [UInt8], names: Set<ProtocolName>?)] = []

    /// An empty state: nothing listed yet.
    init() {}

    /// Whether `name` was listed twice.
    func isAmbiguous(_ name: String) -> Bool {
        !ambiguous.isEmpty && ambiguous.contains(ProtocolName(name))
    }

    /// Marks names listed twice elsewhere (by a server behind an aggregating gate).
    mutating func markListedTwice(_ names: [String]) {
        for name in names { ambiguous.insert(ProtocolName(name)) }
    }

    /// Reads a page: the names it lists (in order), the cursor that asked for it (nil: a first
    /// page) and the cursor it offers for the next page (nil: the last page). Cursors are
    /// compared as compact JSON bytes.
    mutating func read(_ names: [String], cursor: [UInt8]?, nextCursor: [UInt8]?) -> Page {
        var seen: Set<ProtocolName>? = []
        if let cursor, let index = inProgress.firstIndex(where: { $0.cursor == cursor }) {
            seen = inProgress.remove(at: index).names
        }
        var page = Page()
        if var listed = seen, listed.count + names.count <= Self.maximumNames {
            for name in names {
                let key = ProtocolName(name)
                guard !listed.insert(key).inserted else { continue }
                if ambiguous.insert(key).inserted { page.listedTwice.append(name) }
            }
            seen = listed
        } else {
            page.overflows = true
            seen = nil
        }
        if let nextCursor {
            if inProgress.count >= Self.maximumListings { inProgress.removeFirst() }
            inProgress.append((nextCursor, seen))
        }
        return page
    }
}

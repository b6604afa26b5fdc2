/// The pages of one listing in progress (a server's tools, resources, resource templates or
/// prompts), kept within ``PeerLimits/listingItems`` items and ``PeerLimits/listingBytes``
/// bytes of pages: past either, the listing ends with what it has.
struct ListingPages: Sendable {
    /// The items so far, in order.
    private(set) var items: [JSONObject] = []
    /// The bytes of the pages so far.
    private(set) var bytes = 0
    /// Whether the listing passed a bound (items were left out, or no further page is asked for).
    private(set) var isCut = false

    /// Adds a page (its items; `pageBytes`, the size of the message it came in; `hasNext`,
    /// whether the server offers another page). Returns whether to ask for the next page.
    mutating func add(_ page: [JSONValue], bytes pageBytes: Int, hasNext: Bool, limits: PeerLimits) -> Bool {
        bytes += pageBytes
        for case .object(let item) in page {
            guard items.count < limits.listingItems else {
                isCut = true
                break
            }
            items.append(item)
        }
        guard hasNext else { return false }
        if items.count >= limits.listingItems || bytes >= limits.listingBytes { isCut = true }
        return !isCut
    }

    /// The line reporting that a listing was cut (`what`: "tools", "resources", …).
    static func cutReport(server: String, what: String, limits: PeerLimits) -> String {
        "server \(server) lists more \(what) than Tollgate keeps (\(limits.listingItems) items, \(limits.listingBytes >> 20) MiB of pages); the rest are not offered"
    }
}

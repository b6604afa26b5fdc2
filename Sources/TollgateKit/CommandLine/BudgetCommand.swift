/// `tollgate budget show [--manifest FILE] [--json]`: where each budget of a manifest's ledger
/// stands (used / cap), its burn rate and when it runs out at that rate.
struct BudgetCommand {
    /// The manifest read when none is named.
    static let defaultManifest = "tollgate.json"

    let manifestPath: String?
    let json: Bool
    var now: Int64 = GateClock.system.wallMilliseconds()

    func run() throws(CommandFailure) -> Int32 {
        let path = manifestPath ?? Self.defaultManifest
        if manifestPath == nil && !FileIO.exists(path) {
            throw CommandFailure.unusable("budget show: no manifest named, and there is no \(path) in the working directory \(FileIO.currentDirectory()); "
                                          + "give one with --manifest FILE")
        }
        let manifest = try loadManifest(path, consequence: "budget show needs a manifest that loads to read its ledger")
        guard let ledger = manifest.budgets.ledger else {
            throw CommandFailure.failed("\(path): sets no budgets.ledger, so budgets are kept in memory by each run and there is nothing to show; "
                                        + "add \"ledger\": \"budgets.ledger\" under \"budgets\" to keep them")
        }
        let forecast: Forecast
        do throws(LedgerError) {
            if FileIO.realPath(ledger) == nil {
                // No run has written the ledger yet: nothing is spent.
                Diagnostics.standardError.report("budget show: \(ledger) does not exist yet; nothing has been spent")
                forecast = Forecast(limits: manifest.budgetLimits, events: [], now: now)
            } else {
                forecast = try Ledger.forecast(path: ledger, limits: manifest.budgetLimits, now: now)
            }
        } catch {
            throw CommandFailure.failed("budget show: \(error)")
        }
        let output = json ? forecast.json().prettyText : forecast.text()
        print(output, terminator: output.hasSuffix("\n") ? "" : "\n")
        return 0
    }
}

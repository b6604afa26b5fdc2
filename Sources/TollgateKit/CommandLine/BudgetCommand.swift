/// `tollgate budget show [--manifest FILE] [--scope S] [--json]`: where each budget of a
/// manifest's ledger or store stands (used / cap), its burn rate and when it runs out at that
/// rate, scope by scope; `tollgate budget reset --scope S [--budget B]`: forgets a store scope's
/// spend, recorded in the audit trail.
struct BudgetCommand {
    /// The manifest read when none is named.
    static let defaultManifest = "tollgate.json"

    let manifestPath: String?
    let json: Bool
    /// Only this scope (show), or the scope to reset.
    var scope: String?
    var now: Int64 = GateClock.system.wallMilliseconds()

    init(manifestPath: String?, json: Bool, scope: String? = nil) {
        self.manifestPath = manifestPath
        self.json = json
        self.scope = scope
    }

    func run() throws(CommandFailure) -> Int32 {
        let (path, manifest) = try load(verb: "show")
        var forecast: Forecast
        if let store = manifest.budgets.store {
            let client = StoreAccess.client(store, password: try StoreAccess.password(store, manifest: path))
            defer { client.disconnect() }
            do throws(StoreError) {
                forecast = try StoreReader.forecast(client: client, keys: StoreKeys(namespace: store.namespace), limits: manifest.budgetLimits, onlyConfigured: false)
            } catch {
                throw CommandFailure.failed("budget show: the store \(store.endpoint): \(error)")
            }
        } else {
            guard let ledger = manifest.budgets.ledger else {
                throw CommandFailure.failed("\(path): sets neither budgets.ledger nor budgets.store, so budgets are kept in memory by each run and there is nothing to show; "
                                       + "add \"ledger\": \"budgets.ledger\" (or a \"store\") under \"budgets\" to keep them")
            }
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
        }
        if let scope { forecast = forecast.only(spendScope: scope) }
        let output = json ? forecast.json().prettyText : forecast.text()
        print(output, terminator: output.hasSuffix("\n") ? "" : "\n")
        return 0
    }

    /// Deletes scope ``scope``'s budgets (or `budget`'s only) in the manifest's store and
    /// records that in its audit trail.
    func reset(budget: String?) throws(CommandFailure) -> Int32 {
        let (path, manifest) = try load(verb: "reset")
        guard let store = manifest.budgets.store, let scope else {
            throw CommandFailure.failed("\(path): budget reset works on a store (budgets.store); a ledger is not reset in place: move its file away")
        }
        let client = StoreAccess.client(store, password: try StoreAccess.password(store, manifest: path))
        defer { client.disconnect() }
        // The log opens first: a reset that could not be recorded does not happen.
        var log: AuditLog?
        if let settings = manifest.audit {
            do throws(AuditError) {
                log = try AuditLog.open(path: settings.path, fsync: settings.fsync, rotateMB: settings.rotateMB, key: AuditKey.current())
            } catch {
                throw CommandFailure.failed("budget reset: cannot open the audit log \(settings.path): \(error); nothing was reset")
            }
        }
        let removed: Int
        do throws(StoreError) {
            removed = try StoreReader.reset(client: client, keys: StoreKeys(namespace: store.namespace), spendScope: scope, budget: budget)
        } catch {
            throw CommandFailure.failed("budget reset: the store \(store.endpoint): \(error)")
        }
        do throws(AuditError) {
            try log?.append(AuditRecord.budgetReset(store: store.endpoint.description, spendScope: scope, budget: budget, keys: removed))
            try log?.close()
        } catch {
            throw CommandFailure.failed("budget reset: deleted \(removed) keys but cannot record it in the audit log: \(error)")
        }
        print("reset scope \(scope)\(budget.map { " budget \($0)" } ?? ""): \(removed) key\(removed == 1 ? "" : "s") deleted in \(store.endpoint)")
        return 0
    }

    /// The manifest, loaded so that scopes it cannot name here stay unnamed (every scope is read).
    private func load(verb: String) throws(CommandFailure) -> (String, Manifest) {
        let path = manifestPath ?? Self.defaultManifest
        if manifestPath == nil && !FileIO.exists(path) {
            throw CommandFailure.unusable("budget \(verb): no manifest named, and there is no \(path) in the working directory \(FileIO.currentDirectory()); "
                                   + "give one with --manifest FILE")
        }
        var options = ManifestLoadOptions()
        options.resolvesSpendScopes = false
        return (path, try loadManifest(path, options: options, consequence: "budget \(verb) needs a manifest that loads to read its budgets"))
    }
}

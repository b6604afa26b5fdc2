/// The budget store a manifest names, reached as `run`, `budget show` and `budget reset` reach it.
enum StoreAccess {
    /// The password `settings` name (nil: none), taken out of the environment first so that no
    /// process Tollgate starts gets it (see ``SecretEnvironment``). Call it before any thread starts.
    static func password(_ settings: StoreSettings, manifest path: String) throws(CommandFailure) -> String? {
        guard let name = settings.passwordVariable else { return nil }
        SecretEnvironment.withhold([name])
        guard let password = SecretEnvironment.value(of: name), !password.isEmpty else {
            throw CommandFailure.failed("\(path): budgets.storePassword names ${\(name)}, which is not set in Tollgate's environment")
        }
        return password
    }

    /// A client for reading and resetting (`budget show`, `budget reset`): the manifest's
    /// settings, with an operation timeout of at least 5 s (a scan of many keys takes longer
    /// than a reservation).
    static func client(_ settings: StoreSettings, password: String?) -> StoreClient {
        StoreClient(settings: StoreClient.Settings(endpoint: settings.endpoint, user: settings.user, password: password,
                                                   connectTimeoutMs: settings.connectTimeoutMs,
                                                   operationTimeoutMs: Swift.max(settings.operationTimeoutMs, 5000)),
                    script: StoreScript.text)
    }
}

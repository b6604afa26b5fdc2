import CTollgateSupport
#if canImport(Glibc)
import Glibc
#endif

/// A ``SandboxPlan`` made ready for one spawn: its Landlock ruleset built (in Tollgate, before
/// the fork, so a path that is missing is reported here) and the settings the child applies
/// between fork and exec (see `tg_sandbox`). ``close()`` it once the child started.
struct SandboxLaunch {
    /// What the child does.
    let settings: tg_sandbox

    /// Builds the ruleset for `plan`; fails when the kernel offers no Landlock, or an older ABI
    /// than `minimumABI`, or a path the plan requires does not exist.
    init(_ plan: SandboxPlan, minimumABI: Int) throws(SandboxError) {
        let abi = SandboxKernel.landlockABI
        guard abi > 0 else {
            throw SandboxError("this kernel offers no Landlock (\(String(cString: strerror(errno)))): "
                               + "it must be built with CONFIG_SECURITY_LANDLOCK and listed in the lsm= boot parameter")
        }
        guard abi >= minimumABI else {
            throw SandboxError("the sandbox asks for Landlock ABI \(minimumABI) (landlockABI), this kernel offers ABI \(abi)")
        }
        let ruleset = tg_landlock_ruleset(Int32(abi))
        guard ruleset >= 0 else { throw SandboxError("cannot create a Landlock ruleset: \(String(cString: strerror(errno)))") }
        for rule in plan.rules {
            let result = tg_landlock_allow(ruleset, Int32(abi), rule.path, rule.access.rawValue)
            // A preset's path this machine lacks, or that this user cannot open, is nothing to grant.
            if result == 0 || (rule.optional && [ENOENT, ENOTDIR, EACCES, ELOOP].contains(result)) { continue }
            Glibc.close(ruleset)
            let what = result == ENOENT ? "does not exist" : "cannot be granted: \(String(cString: strerror(result)))"
            throw SandboxError("\(rule.path) (\(rule.origin)) \(what)")
        }
        var settings = tg_sandbox()
        settings.landlock_ruleset = ruleset
        settings.landlock_proc_self = 1
        settings.drop_capabilities = 1
        if plan.network.isolates {
            settings.new_network_namespace = 1
            settings.new_user_namespace = SandboxKernel.mayCreateNamespacesDirectly ? 0 : 1
        }
        if case .allowHosts = plan.network { settings.proxy_port = Int32(SandboxPlan.proxyPort) }
        self.settings = settings
    }

    /// Closes Tollgate's copy of the ruleset.
    func close() {
        if settings.landlock_ruleset >= 0 { _ = Glibc.close(settings.landlock_ruleset) }
    }
}

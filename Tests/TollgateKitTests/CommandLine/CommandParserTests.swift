import Testing
@testable import TollgateKit

/// Parses a command line (without the program name).
private func parse(_ arguments: [String]) throws(CommandLineError) -> Command {
    var parser = CommandParser(arguments)
    return try parser.parse()
}

/// The run options of a command line that must parse as `run`.
private func runOptions(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws -> RunOptions {
    let command = try parse(arguments)
    guard case .run(let options) = command else {
        Issue.record("expected run, got \(command)", sourceLocation: sourceLocation)
        throw TestFailure()
    }
    return options
}

/// How `tollgate` ends on a command line that must not parse: its message and exit code.
private func failure(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) -> CommandExit? {
    do throws(CommandLineError) {
        let command = try parse(arguments)
        Issue.record("\(arguments) parsed as \(command)", sourceLocation: sourceLocation)
        return nil
    } catch {
        return CommandExit(error)
    }
}

@Suite("CommandParser")
struct CommandParserTests {
    @Test("budget show takes --manifest and --json; anything else is a usage error")
    func budgetShow() throws {
        #expect(try parse(["budget", "show"]) == .budgetShow(manifestPath: nil, json: false))
        #expect(try parse(["budget", "show", "--json", "-m", "a.json"]) == .budgetShow(manifestPath: "a.json", json: true))
        #expect(try parse(["budget", "show", "--manifest=b.json"]) == .budgetShow(manifestPath: "b.json", json: false))
        #expect(try parse(["budget", "show", "--scope", "agent:alice"]) == .budgetShow(manifestPath: nil, json: false, scope: "agent:alice"))
        #expect(try parse(["budget", "reset", "--scope=global", "--budget", "tools.git_*.budget"])
                == .budgetReset(manifestPath: nil, scope: "global", budget: "tools.git_*.budget"))
        #expect(failure(["budget", "reset"])?.message.contains("needs --scope") == true)
        #expect(failure(["budget", "show", "--budget", "x"])?.message.contains("unknown option") == true)
        #expect(try runOptions(["run", "--agent", "alice", "--workflow=nightly", "--", "s"]).agent == "alice")
        #expect(try runOptions(["run", "--agent", "alice", "--workflow=nightly", "--", "s"]).workflow == "nightly")
        #expect(failure(["budget"])?.exitCode == 2)
        #expect(failure(["budget", "spend"])?.message.contains("expected show") == true)
        #expect(failure(["budget", "show", "--frob"])?.message.contains("--frob") == true)
        #expect(failure(["budget", "show", "a.json"])?.message.contains("--manifest") == true)
        #expect(failure(["budget", "show", "--help"])?.exitCode == 0)
    }

    @Test("run with -- takes everything after it as the server command, verbatim")
    func runWithSeparator() throws {
        let options = try runOptions(["run", "--", "python3", "-m", "server", "--manifest", "x", "--", "-h"])
        #expect(options.serverCommand == ["python3", "-m", "server", "--manifest", "x", "--", "-h"])
        #expect(options.manifestPath == nil)
        #expect(options.maxMessageBytes == LineFramer.defaultMaxLineBytes)
        #expect(options.limits.isEmpty)
    }

    @Test("a missing command is a usage error")
    func missingCommand() {
        let error = failure([])
        #expect(error?.message == "missing command")
        #expect(error?.exitCode == 2)
        #expect(error?.showsUsage == true)
    }

    @Test("an unknown command is a usage error")
    func unknownCommand() {
        let error = failure(["frobnicate"])
        #expect(error?.message.contains("frobnicate") == true)
        #expect(error?.exitCode == 2)
        #expect(error?.showsUsage == true)
    }

    @Test("run without a server command or a manifest is a usage error", arguments: [["run"], ["run", "--"], ["run", "--max-message-mb", "4"]])
    func missingServerCommand(arguments: [String]) {
        let error = failure(arguments)
        #expect(error?.message.hasPrefix("missing server command") == true)
        #expect(error?.exitCode == 2)
    }

    @Test("an unknown option is a usage error naming it", arguments: ["--frob", "-x", "--frob=1", "--Manifest"])
    func unknownOption(option: String) {
        let error = failure(["run", option, "--", "server"])
        #expect(error?.message == "unknown option '\(option)' for 'run'")
        #expect(error?.showsUsage == true)
    }

    @Test("a bare argument before -- is refused with a hint")
    func bareArgument() {
        let error = failure(["run", "server"])
        #expect(error?.message.contains("after '--'") == true)
    }

    @Test("the manifest, in every spelling; with a manifest the command may be omitted")
    func manifest() throws {
        #expect(try runOptions(["run", "--manifest=tools.json"]).manifestPath == "tools.json")
        #expect(try runOptions(["run", "--manifest", "tools.json"]).manifestPath == "tools.json")
        #expect(try runOptions(["run", "-m", "tools.json"]).manifestPath == "tools.json")
        #expect(try runOptions(["run", "--manifest=a=b.json"]).manifestPath == "a=b.json", "only the first = splits")
        let both = try runOptions(["run", "--manifest=m.json", "--", "server", "arg"])
        #expect(both.manifestPath == "m.json")
        #expect(both.serverCommand == ["server", "arg"])
        #expect(try runOptions(["run", "-m", "first", "-m", "second"]).manifestPath == "second", "the last one wins")
    }

    @Test("an option without its value is a usage error", arguments: [
        ["run", "--manifest"], ["run", "--manifest", "--", "server"], ["run", "-m"],
        ["run", "--max-message-mb"], ["run", "--max-message-mb", "--", "server"],
    ])
    func missingValue(arguments: [String]) {
        let error = failure(arguments)
        #expect(error?.message.hasPrefix("missing value for '") == true)
        #expect(error?.exitCode == 2)
    }

    @Test("--max-message-mb takes a positive whole number of MiB", arguments: [("1", 1 << 20), ("4", 4 << 20), ("128", 128 << 20), ("1024", 1 << 30)])
    func maxMessage(value: String, bytes: Int) throws {
        #expect(try runOptions(["run", "--max-message-mb", value, "--", "s"]).maxMessageBytes == bytes)
        #expect(try runOptions(["run", "--max-message-mb=\(value)", "--", "s"]).maxMessageBytes == bytes)
    }

    @Test("--max-message-mb rejects anything else", arguments: ["0", "-1", "abc", "1.5", "", " 4", "4MB", "0x10", "1099511627776", "99999999999999999999"])
    func maxMessageInvalid(value: String) {
        let error = failure(["run", "--max-message-mb=\(value)", "--", "s"])
        #expect(error?.message == "'--max-message-mb' expects a positive whole number, got '\(value)'")
        #expect(error?.exitCode == 2)
    }

    @Test("resource limits")
    func limits() throws {
        let options = try runOptions(["run", "--memory-mb", "512", "--cpu-seconds=30", "--open-files", "64", "--processes=8", "--", "s"])
        #expect(options.limits == ResourceLimits(memoryMB: 512, cpuSeconds: 30, openFiles: 64, processes: 8))
        #expect(failure(["run", "--cpu-seconds", "0", "--", "s"])?.message.contains("--cpu-seconds") == true)
    }

    @Test("run: --sandbox PRESET with --read, --write, --execute (repeatable), --network, --allow-host, --sandbox-optional")
    func sandboxFlags() throws {
        let options = try runOptions(["run", "--sandbox", "python", "--read", "a", "--read=b", "--write", "w", "--execute", "/x",
                                      "--allow-host", "api.github.com:443", "--allow-host", "127.0.0.1:8080", "--sandbox-optional", "--", "srv"])
        #expect(options.sandbox == SandboxSpec(preset: .python, read: ["a", "b"], write: ["w"], execute: ["/x"],
                                               network: .allowHosts(["api.github.com:443", "127.0.0.1:8080"].compactMap(HostPortPattern.init)),
                                               required: false))
        #expect(try runOptions(["run", "--sandbox", "binary", "--", "srv"]).sandbox == SandboxSpec(preset: .binary, network: .none))
        #expect(try runOptions(["run", "--sandbox", "node", "--network", "allow", "--", "srv"]).sandbox?.network == .allow)
        #expect(try runOptions(["run", "--", "srv"]).sandbox == nil)
    }

    @Test("run: sandbox flags without --sandbox, a bad preset or host, allow with allowed hosts, or no command after -- are usage errors")
    func sandboxFlagErrors() {
        #expect(failure(["run", "--read", "a", "--", "srv"])?.message == "'--read' belongs to a sandbox: give one with --sandbox PRESET")
        #expect(failure(["run", "--sandbox", "java", "--", "srv"])?.message.hasPrefix("'--sandbox' expects a preset: python, node, uv, binary") == true)
        #expect(failure(["run", "--sandbox", "binary", "--allow-host", "github.com", "--", "srv"])?.message.hasPrefix("'--allow-host' expects HOST:PORT") == true)
        #expect(failure(["run", "--sandbox", "binary", "--network", "some", "--", "srv"])?.message.hasPrefix("'--network' expects none or allow") == true)
        #expect(failure(["run", "--sandbox", "binary", "--network", "allow", "--allow-host", "a:1", "--", "srv"])?.message
                == "--network allow and --allow-host exclude each other")
        #expect(failure(["run", "--manifest", "m.json", "--sandbox", "binary"])?.message.hasPrefix("--sandbox applies to the command after '--'") == true)
    }

    @Test("help and version")
    func helpAndVersion() throws {
        for spelling in ["help", "--help", "-h"] { #expect(try parse([spelling]) == .help(topic: nil)) }
        for spelling in ["version", "--version", "-V"] { #expect(try parse([spelling]) == .version) }
        for topic in Usage.topics.map(\.command) { #expect(try parse(["help", topic]) == .help(topic: topic)) }
        #expect(failure(["help", "frob"])?.message.contains("the commands are run, check") == true)
        let runHelp = failure(["run", "--help"])
        #expect(runHelp?.exitCode == 0, "help is not a failure")
        #expect(runHelp?.message == Usage.run)
        #expect(failure(["run", "-h", "--", "s"])?.exitCode == 0)
    }

    @Test("check takes one manifest (or - for stdin) and --strict")
    func check() throws {
        #expect(try parse(["check", "m.json"]) == .check(manifestPath: "m.json", strict: false))
        #expect(try parse(["check", "--strict", "m.json"]) == .check(manifestPath: "m.json", strict: true))
        #expect(try parse(["check", "-", "--strict"]) == .check(manifestPath: "-", strict: true))
        #expect(failure(["check"])?.message.contains("[--strict]") == true)
        #expect(failure(["check", "--strictly", "m.json"])?.message.contains("--strictly") == true)
    }

    @Test("run: --monitor or --enforce override the manifest's mode, and need a manifest")
    func modeOverride() throws {
        #expect(try runOptions(["run", "-m", "m.json", "--monitor"]).mode == .monitor)
        #expect(try runOptions(["run", "-m", "m.json", "--enforce", "--", "s"]).mode == .enforce)
        #expect(try runOptions(["run", "-m", "m.json"]).mode == nil)
        #expect(failure(["run", "-m", "m.json", "--monitor", "--enforce"])?.message.contains("exclude each other") == true)
        #expect(failure(["run", "--monitor", "--", "s"])?.message.contains("give one with --manifest") == true)
    }

    @Test("run: --log-level and --quiet set how much Tollgate writes about itself")
    func logLevel() throws {
        #expect(try runOptions(["run", "--", "s"]).logLevel == .info)
        #expect(try runOptions(["run", "--log-level", "warning", "--", "s"]).logLevel == .warning)
        #expect(try runOptions(["run", "--log-level=error", "--", "s"]).logLevel == .error)
        #expect(try runOptions(["run", "--quiet", "--", "s"]).logLevel == .error)
        #expect(try runOptions(["run", "-q", "--", "s"]).logLevel == .error)
        #expect(failure(["run", "--log-level", "loud", "--", "s"])?.message == "'--log-level' expects error, warning, info, got 'loud'")
    }

    @Test("a missing audit command names all four")
    func missingAuditCommand() {
        #expect(failure(["audit"])?.message == "missing audit command: tollgate audit verify|log|summary|replay")
    }
}

@Suite("CommandParser: audit log and audit summary")
struct AuditReviewParserTests {
    @Test("audit log takes one file or a manifest, and its filters")
    func log() throws {
        var options = AuditReviewOptions()
        #expect(try parse(["audit", "log"]) == .audit(.log(options), files: []))
        options.filter.deniedOnly = true
        options.filter.tool = try NameMatcher(pattern: "git_*")
        options.filter.codes = [.toolDenied, .timeout]
        options.filter.agent = "claude-code"
        options.since = .ago(milliseconds: 900_000)
        options.until = .today(hour: 9, minute: 30, second: 0)
        options.follow = true
        options.json = true
        options.verify = false
        options.manifestPath = "m.json"
        #expect(try parse(["audit", "log", "--denied", "--tool", "git_*", "--code", "tool_denied", "--code=timeout", "--agent", "claude-code",
                           "--since", "15m", "--until=09:30", "-f", "--json", "--no-verify", "-m", "m.json"]) == .audit(.log(options), files: []))
        #expect(try parse(["audit", "log", "a.log", "--follow"]) == .audit(.log({ var o = AuditReviewOptions(); o.follow = true; return o }()), files: ["a.log"]))
        #expect(failure(["audit", "log", "a.log", "b.log"])?.message.contains("one log") == true)
        #expect(failure(["audit", "log", "--code", "denied"])?.message.contains("unknown denial code 'denied'") == true)
        #expect(failure(["audit", "log", "--code", "TOOL_DENIED"])?.exitCode == 2, "codes are exact")
        #expect(failure(["audit", "log", "--tool", "a b"])?.message.contains("'--tool'") == true)
        #expect(failure(["audit", "log", "--since", "yesterday"])?.message.contains("'yesterday' is not a time") == true)
        #expect(failure(["audit", "log", "--until"])?.message.contains("missing value") == true)
        #expect(failure(["audit", "log", "--frob"])?.message.contains("unknown option '--frob' for 'audit log'") == true)
        #expect(failure(["audit", "log", "--help"])?.exitCode == 0)
    }

    @Test("audit summary takes files or a manifest, --since, --json, --no-verify; not the log's filters")
    func summary() throws {
        var options = AuditReviewOptions()
        options.json = true
        options.since = .ago(milliseconds: 3_600_000)
        #expect(try parse(["audit", "summary", "--json", "--since", "1h", "a.log.1", "a.log"]) == .audit(.summary(options), files: ["a.log.1", "a.log"]))
        #expect(try parse(["audit", "summary"]) == .audit(.summary(AuditReviewOptions()), files: []))
        #expect(failure(["audit", "summary", "--denied"])?.message.contains("unknown option '--denied' for 'audit summary'") == true)
        #expect(failure(["audit", "frob"])?.message.contains("expected verify, log, summary or replay") == true)
    }

    @Test("wrap, unwrap, status, enforce, completions and man")
    func wrapCommands() throws {
        var wrap = WrapOptions()
        #expect(try parse(["wrap"]) == .wrap(wrap))
        wrap.client = "cfg.json"; wrap.manifestDirectory = "m"; wrap.dryRun = true; wrap.timeoutSeconds = 5; wrap.force = true
        #expect(try parse(["wrap", "--client", "cfg.json", "--manifests=m", "--dry-run", "--timeout", "5", "--force"]) == .wrap(wrap))
        var unwrap = WrapOptions()
        unwrap.unwraps = true; unwrap.client = "claude-desktop"
        #expect(try parse(["unwrap", "--client", "claude-desktop"]) == .wrap(unwrap))
        #expect(failure(["unwrap", "--force"])?.message == "unknown argument '--force' for 'unwrap'")
        #expect(failure(["wrap", "--timeout", "0"])?.message.contains("positive whole number") == true)
        #expect(try parse(["status"]) == .status(client: "claude-code"))
        #expect(try parse(["status", "--client", "f.json"]) == .status(client: "f.json"))
        #expect(try parse(["enforce", "m.json"]) == .enforce(manifestPath: "m.json"))
        #expect(failure(["enforce"])?.message == "tollgate enforce MANIFEST")
        #expect(try parse(["completions", "fish"]) == .completions(.fish))
        #expect(failure(["completions", "tcsh"])?.message == "tollgate completions bash|zsh|fish")
        #expect(try parse(["man"]) == .manPage)
    }
}

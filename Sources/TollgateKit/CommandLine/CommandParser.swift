/// Parses Tollgate's command line into a ``Command``.
struct CommandParser {
    var arguments: ArraySlice<String>

    /// Creates a parser over the arguments after the program name.
    init(_ arguments: [String]) {
        self.arguments = arguments[...]
    }

    /// Parses the whole command line.
    mutating func parse() throws(CommandLineError) -> Command {
        guard let first = arguments.popFirst() else {
            throw .usage("missing command")
        }
        switch first {
        case "run": return .run(try parseRun())
        case "check":
            var strict = false
            var paths: [String] = []
            for argument in try plainArguments(for: "check", help: Usage.check, flags: ["--strict"]) {
                if argument == "--strict" { strict = true } else { paths.append(argument) }
            }
            guard paths.count == 1 else { throw .usage(paths.isEmpty ? "missing manifest: tollgate check [--strict] FILE" : "check takes one manifest file") }
            return .check(manifestPath: paths[0], strict: strict)
        case "audit":
            guard let verb = arguments.popFirst() else { throw .usage("missing audit command: tollgate audit verify|log|summary|replay") }
            switch verb {
            case "--help", "-h": throw .helpRequested(Usage.audit)
            case "verify":
                return try parseVerify()
            case "log", "summary":
                return try parseAuditReview(verb)
            case "replay":
                return try parseReplay()
            default:
                throw .usage("unknown audit command '\(verb)': expected verify, log, summary or replay")
            }
        case "budget":
            guard let verb = arguments.popFirst() else { throw .usage("missing budget command: tollgate budget show|reset") }
            switch verb {
            case "--help", "-h": throw .helpRequested(Usage.budget)
            case "show", "reset": return try parseBudget(verb)
            default: throw .usage("unknown budget command '\(verb)': expected show or reset")
            }
        case "init":
            let command = try commandAfterDashes(for: "init", help: Usage.initialize)
            return .initialize(serverCommand: command)
        case "pin": return try parsePin()
        case "wrap", "unwrap": return .wrap(try parseWrap(unwraps: first == "unwrap"))
        case "status":
            var client = "claude-code"
            while let argument = arguments.popFirst() {
                let (name, inlineValue) = Self.split(argument)
                switch name {
                case "--client": client = try value(for: name, inline: inlineValue)
                case "--help", "-h": throw .helpRequested(Usage.wrap)
                default: throw .usage("unknown argument '\(argument)' for 'status'")
                }
            }
            return .status(client: client)
        case "doctor":
            var manifestPath: String?
            while let argument = arguments.popFirst() {
                let (name, inlineValue) = Self.split(argument)
                switch name {
                case "--manifest", "-m": manifestPath = try value(for: name, inline: inlineValue)
                case "--help", "-h": throw .helpRequested(Usage.doctor)
                default: throw .usage("unknown argument '\(argument)' for 'doctor'")
                }
            }
            return .doctor(manifestPath: manifestPath)
        case "enforce":
            let paths = try plainArguments(for: "enforce", help: Usage.wrap)
            guard paths.count == 1 else { throw .usage("tollgate enforce MANIFEST") }
            return .enforce(manifestPath: paths[0])
        case "help", "--help", "-h":
            guard let topic = arguments.popFirst() else { return .help(topic: nil) }
            guard Usage.topics.contains(where: { $0.command == topic }) else {
                throw .usage("no help for '\(topic)': the commands are \(Usage.topics.map(\.command).joined(separator: ", "))")
            }
            guard arguments.isEmpty else { throw .usage("help takes one command") }
            return .help(topic: topic)
        case "version", "--version", "-V": return .version
        case "completions":
            let shells = ShellCompletion.Shell.allCases.map(\.rawValue).joined(separator: "|")
            guard let name = arguments.popFirst(), let shell = ShellCompletion.Shell(rawValue: name), arguments.isEmpty else {
                throw .usage("tollgate completions \(shells)")
            }
            return .completions(shell)
        case "man":
            guard arguments.isEmpty else { throw .usage("man takes no arguments") }
            return .manPage
        default:
            throw .usage("unknown command '\(first)'")
        }
    }

    /// The sandbox flags of `run`, as they are read.
    private struct SandboxFlags {
        var preset: SandboxPreset?
        var spec = SandboxSpec(preset: .binary)
        var network: SandboxNetwork?
        var allowedHosts: [HostPortPattern] = []
        /// The sandbox options given other than `--sandbox`.
        var flags: [String] = []

        /// The sandbox they ask for, or nil without `--sandbox`.
        func sandbox(forCommand hasCommand: Bool) throws(CommandLineError) -> SandboxSpec? {
            guard let preset else {
                if let flag = flags.first { throw .usage("'\(flag)' belongs to a sandbox: give one with --sandbox PRESET") }
                return nil
            }
            guard hasCommand else {
                throw .usage("--sandbox applies to the command after '--'; a manifest's servers take theirs from their \"sandbox\" sections")
            }
            var spec = spec
            spec.preset = preset
            if !allowedHosts.isEmpty {
                if network == .allow { throw .usage("--network allow and --allow-host exclude each other") }
                spec.network = .allowHosts(allowedHosts)
            } else {
                spec.network = network ?? .none
            }
            return spec
        }
    }

    private mutating func parseRun() throws(CommandLineError) -> RunOptions {
        var options = RunOptions()
        var sandbox = SandboxFlags()
        while let argument = arguments.popFirst() {
            let (name, inlineValue) = Self.split(argument)
            switch name {
            case "--":
                options.serverCommand = Array(arguments)
                arguments = []
            case "--manifest", "-m":
                options.manifestPath = try value(for: name, inline: inlineValue)
            case "--watch":
                options.watchesManifest = true
            case "--monitor", "--enforce":
                let mode: Manifest.Mode = name == "--monitor" ? .monitor : .enforce
                if let chosen = options.mode, chosen != mode { throw .usage("--monitor and --enforce exclude each other") }
                options.mode = mode
            case "--log-level":
                let text = try value(for: name, inline: inlineValue)
                guard let level = LogLevel(name: text) else {
                    throw .usage("'--log-level' expects \(LogLevel.allCases.map(\.name).joined(separator: ", ")), got '\(text)'")
                }
                options.logLevel = level
            case "--quiet", "-q":
                options.logLevel = .error
            case "--max-message-mb":
                options.maxMessageBytes = try positiveInteger(for: name, inline: inlineValue) << 20
            case "--memory-mb":
                options.limits.memoryMB = try positiveInteger(for: name, inline: inlineValue)
            case "--cpu-seconds":
                options.limits.cpuSeconds = try positiveInteger(for: name, inline: inlineValue)
            case "--open-files":
                options.limits.openFiles = try positiveInteger(for: name, inline: inlineValue)
            case "--processes":
                options.limits.processes = try positiveInteger(for: name, inline: inlineValue)
            case "--sandbox":
                let text = try value(for: name, inline: inlineValue)
                guard let preset = SandboxPreset(rawValue: text) else {
                    throw .usage("'--sandbox' expects a preset: \(SandboxPreset.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'")
                }
                sandbox.preset = preset
            case "--read", "--write", "--execute":
                let path = try value(for: name, inline: inlineValue)
                guard !path.isEmpty else { throw .usage("'\(name)' expects a path") }
                sandbox.flags.append(name)
                switch name {
                case "--read": sandbox.spec.read.append(path)
                case "--write": sandbox.spec.write.append(path)
                default: sandbox.spec.execute.append(path)
                }
            case "--network":
                let text = try value(for: name, inline: inlineValue)
                guard text == "none" || text == "allow" else { throw .usage("'--network' expects none or allow (or give --allow-host HOST:PORT), got '\(text)'") }
                sandbox.flags.append(name)
                sandbox.network = text == "none" ? SandboxNetwork.none : .allow
            case "--allow-host":
                let text = try value(for: name, inline: inlineValue)
                guard let pattern = HostPortPattern(text) else {
                    throw .usage("'--allow-host' expects HOST:PORT (api.github.com:443, *.corp.example:443, 127.0.0.1:8080, [::1]:8080), got '\(text)'")
                }
                sandbox.flags.append(name)
                sandbox.allowedHosts.append(pattern)
            case "--sandbox-optional":
                sandbox.flags.append(name)
                sandbox.spec.required = false
            case "--agent":
                options.agent = try value(for: name, inline: inlineValue)
            case "--workflow":
                options.workflow = try value(for: name, inline: inlineValue)
            case "--help", "-h":
                throw .helpRequested(Usage.run)
            default:
                if argument.hasPrefix("-") { throw .usage("unknown option '\(argument)' for 'run'") }
                throw .usage("unexpected argument '\(argument)': put the server command after '--'")
            }
        }
        if options.serverCommand.isEmpty && options.manifestPath == nil {
            throw .usage("missing server command: tollgate run -- COMMAND [ARG...]")
        }
        options.sandbox = try sandbox.sandbox(forCommand: !options.serverCommand.isEmpty)
        if options.watchesManifest && options.manifestPath == nil {
            throw .usage("--watch watches the manifest: give one with --manifest FILE")
        }
        if let mode = options.mode, options.manifestPath == nil {
            throw .usage("--\(mode.rawValue) sets the manifest's mode: give one with --manifest FILE")
        }
        return options
    }

    private mutating func parseVerify() throws(CommandLineError) -> Command {
        var from: Int?
        var checkpoints: String?
        var files: [String] = []
        while let argument = arguments.popFirst() {
            let (name, inlineValue) = Self.split(argument)
            switch name {
            case "--from": from = try positiveInteger(for: name, inline: inlineValue)
            case "--checkpoints": checkpoints = try value(for: name, inline: inlineValue)
            case "--help", "-h": throw .helpRequested(Usage.audit)
            default:
                if argument.hasPrefix("-") && argument != "-" { throw .usage("unknown option '\(argument)' for 'audit verify'") }
                files.append(argument)
            }
        }
        guard !files.isEmpty else { throw .usage("missing audit log: tollgate audit verify [--from SEQ] [--checkpoints FILE] FILE...") }
        return .audit(.verify(from: from, checkpoints: checkpoints), files: files)
    }

    private mutating func parseReplay() throws(CommandLineError) -> Command {
        var manifestPath: String?
        var json = false
        var files: [String] = []
        while let argument = arguments.popFirst() {
            let (name, inlineValue) = Self.split(argument)
            switch name {
            case "--manifest", "-m": manifestPath = try value(for: name, inline: inlineValue)
            case "--json": json = true
            case "--help", "-h": throw .helpRequested(Usage.audit)
            default:
                if argument.hasPrefix("-") && argument != "-" { throw .usage("unknown option '\(argument)' for 'audit replay'") }
                files.append(argument)
            }
        }
        guard !files.isEmpty else { throw .usage("missing audit log: tollgate audit replay FILE... --manifest NEW") }
        guard let manifestPath else { throw .usage("missing manifest: tollgate audit replay FILE... --manifest NEW") }
        return .audit(.replay(manifestPath: manifestPath, json: json), files: files)
    }

    private mutating func parsePin() throws(CommandLineError) -> Command {
        var manifestPath: String?
        var command: [String] = []
        while let argument = arguments.popFirst() {
            let (name, inlineValue) = Self.split(argument)
            switch name {
            case "--manifest", "-m": manifestPath = try value(for: name, inline: inlineValue)
            case "--":
                command = Array(arguments)
                arguments = []
                guard !command.isEmpty else { throw .usage("missing server command after '--'") }
            case "--help", "-h": throw .helpRequested(Usage.pin)
            default:
                if argument.hasPrefix("-") { throw .usage("unknown option '\(argument)' for 'pin'") }
                throw .usage("unexpected argument '\(argument)' for 'pin': put the server command after '--'")
            }
        }
        guard let manifestPath else { throw .usage("missing manifest: tollgate pin --manifest FILE [-- COMMAND [ARG...]]") }
        return .pin(manifestPath: manifestPath, serverCommand: command)
    }

    private mutating func parseWrap(unwraps: Bool) throws(CommandLineError) -> WrapOptions {
        var options = WrapOptions()
        options.unwraps = unwraps
        let command = unwraps ? "unwrap" : "wrap"
        while let argument = arguments.popFirst() {
            let (name, inlineValue) = Self.split(argument)
            switch name {
            case "--client": options.client = try value(for: name, inline: inlineValue)
            case "--dry-run": options.dryRun = true
            case "--manifests" where !unwraps: options.manifestDirectory = try value(for: name, inline: inlineValue)
            case "--timeout" where !unwraps: options.timeoutSeconds = try positiveInteger(for: name, inline: inlineValue)
            case "--force" where !unwraps: options.force = true
            case "--help", "-h": throw .helpRequested(Usage.wrap)
            default: throw .usage("unknown argument '\(argument)' for '\(command)'")
            }
        }
        return options
    }

    private mutating func parseBudget(_ verb: String) throws(CommandLineError) -> Command {
        var manifestPath: String?
        var json = false
        var scope: String?
        var budget: String?
        let resets = verb == "reset"
        while let argument = arguments.popFirst() {
            let (name, inlineValue) = Self.split(argument)
            switch name {
            case "--manifest", "-m": manifestPath = try value(for: name, inline: inlineValue)
            case "--json" where !resets: json = true
            case "--scope": scope = try value(for: name, inline: inlineValue)
            case "--budget" where resets: budget = try value(for: name, inline: inlineValue)
            case "--help", "-h": throw .helpRequested(Usage.budget)
            default:
                if argument.hasPrefix("-") { throw .usage("unknown option '\(argument)' for 'budget \(verb)'") }
                throw .usage("unexpected argument '\(argument)' for 'budget \(verb)': name the manifest with --manifest FILE")
            }
        }
        guard resets else { return .budgetShow(manifestPath: manifestPath, json: json, scope: scope) }
        guard let scope else { throw .usage("budget reset needs --scope S (global, agent:NAME, workflow:ID, … as budget show names them)") }
        return .budgetReset(manifestPath: manifestPath, scope: scope, budget: budget)
    }

    /// Arguments of a command that takes only plain values (and `--help`).
    private mutating func plainArguments(for command: String, help: String, flags: [String] = []) throws(CommandLineError) -> [String] {
        var values: [String] = []
        while let argument = arguments.popFirst() {
            if argument == "--help" || argument == "-h" { throw .helpRequested(help) }
            if flags.contains(argument) { values.append(argument); continue }
            if argument.hasPrefix("-") && argument != "-" { throw .usage("unknown option '\(argument)' for '\(command)'") }
            values.append(argument)
        }
        return values
    }

    /// The server command after `--` (nothing else accepted before it but `--help`).
    private mutating func commandAfterDashes(for command: String, help: String) throws(CommandLineError) -> [String] {
        while let argument = arguments.popFirst() {
            switch argument {
            case "--":
                let rest = Array(arguments)
                arguments = []
                guard !rest.isEmpty else { throw .usage("missing server command after '--'") }
                return rest
            case "--help", "-h": throw .helpRequested(help)
            default: throw .usage("unexpected argument '\(argument)' for '\(command)': put the server command after '--'")
            }
        }
        throw .usage("missing server command: tollgate \(command) -- COMMAND [ARG...]")
    }

    static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    mutating func value(for name: String, inline: String?) throws(CommandLineError) -> String {
        if let inline { return inline }
        guard let next = arguments.popFirst(), next != "--" else { throw .usage("missing value for '\(name)'") }
        return next
    }

    private mutating func positiveInteger(for name: String, inline: String?) throws(CommandLineError) -> Int {
        let text = try value(for: name, inline: inline)
        guard let number = Int(text), number > 0, number < 1 << 40 else {
            throw .usage("'\(name)' expects a positive whole number, got '\(text)'")
        }
        return number
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entry point of the `tollgate` executable: parses the command line, runs the command, and
/// ends with the status the command returns or, for any error it throws, the message and exit
/// code ``CommandExit`` gives it.
public enum TollgateCLI {
    /// Runs Tollgate with the process's arguments (program name first) and returns the exit code.
    /// First, before any thread starts, Tollgate's secrets are taken out of its environment
    /// (``SecretEnvironment``).
    public static func main(_ arguments: [String]) -> Int32 {
        SecretEnvironment.withhold()
        // Diagnostics still buffered for stderr get a bounded wait (see Diagnostics.writeInBackground).
        defer { Diagnostics.flushStandardError() }
        do {
            var parser = CommandParser(Array(arguments.dropFirst()))
            return try execute(try parser.parse())
        } catch {
            return CommandExit(error).report()
        }
    }

    /// Runs `command` and returns its status; what stops it early is thrown (see ``CommandExit``).
    static func execute(_ command: Command) throws -> Int32 {
        switch command {
        case .help(let topic):
            print(Usage.topics.first { $0.command == topic }?.text ?? Usage.overview)
            return 0
        case .version:
            print(BuildInfo.versionLine)
            return 0
        case .completions(let shell):
            print(ShellCompletion().script(for: shell), terminator: "")
            return 0
        case .manPage:
            print(ManPage.roff, terminator: "")
            return 0
        case .run(let options):
            return try RunCommand(options: options).run()
        case .initialize(let command):
            return try InitCommand(serverCommand: command).run()
        case .pin(let path, let command):
            return try PinCommand(manifestPath: path, serverCommand: command).run()
        case .audit(let action, let files):
            return try AuditCommand(action: action, files: files).run()
        case .budgetShow(let path, let json, let scope):
            return try BudgetCommand(manifestPath: path, json: json, scope: scope).run()
        case .budgetReset(let path, let scope, let budget):
            return try BudgetCommand(manifestPath: path, json: false, scope: scope).reset(budget: budget)
        case .wrap(let options):
            return try WrapCommand(options: options).run()
        case .status(let client):
            return try StatusCommand(client: client).run()
        case .enforce(let path):
            return try EnforceCommand(manifestPath: path).run()
        case .doctor(let path):
            return try DoctorCommand(manifestPath: path).run()
        case .check(let path, let strict):
            return try CheckCommand(manifestPath: path, strict: strict).run()
        }
    }
}

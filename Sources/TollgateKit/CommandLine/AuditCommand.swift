/// What `tollgate audit` does with its files.
public enum AuditAction: Sendable, Equatable {
    /// Check the hash chain.
    case verify
    /// Print per-tool figures, as text or JSON.
    case summary(json: Bool)
}

/// `tollgate audit verify FILE...` and `tollgate audit summary FILE... [--json]`.
struct AuditCommand {
    let action: AuditAction
    /// The log files, oldest first (`audit.log.2 audit.log.1 audit.log`).
    let files: [String]

    func run() throws(CommandLineError) -> Int32 {
        switch action {
        case .verify:
            let key = AuditKey.fromEnvironment(FileIO.environment())
            let verification = AuditVerifier.verify(files: files, key: key)
            if verification.isIntact {
                print(verification.report)
            } else {
                Diagnostics.standardError.report(verification.report)
            }
            return verification.exitCode
        case .summary(let json):
            let summary: AuditSummary
            do throws(FileError) {
                summary = try AuditSummary.read(files: files)
            } catch {
                throw CommandLineError("audit summary: \(error)", exitCode: CommandLineError.ExitCode.failure.rawValue)
            }
            print(json ? summary.json.prettyText : summary.text, terminator: json ? "" : "\n")
            return 0
        }
    }
}

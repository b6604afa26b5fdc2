/// What `tollgate audit` does with its files.
public enum AuditAction: Sendable, Equatable {
    /// Check the hash chain, from seq 1 or from the seq given (a log whose older part was removed on purpose).
    case verify(from: Int?)
    /// Print per-tool figures, as text or JSON.
    case summary(json: Bool)
    /// Re-decide every recorded call under another manifest and print what would change.
    case replay(manifestPath: String, json: Bool)
}

/// `tollgate audit verify [--from SEQ] FILE...`, `tollgate audit summary FILE... [--json]` and
/// `tollgate audit replay FILE... --manifest NEW [--json]`.
struct AuditCommand {
    let action: AuditAction
    /// The log files, oldest first (`audit.log.2 audit.log.1 audit.log`).
    let files: [String]

    func run() throws(CommandLineError) -> Int32 {
        switch action {
        case .verify(let from):
            let key = AuditKey.current()
            let verification = AuditVerifier.verify(files: files, key: key, from: from)
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
            let lines = summary.records + summary.skippedLines
            guard summary.events > 0 || lines == 0 else {
                throw CommandLineError("audit summary: \(files.joined(separator: ", ")): \(lines) line\(lines == 1 ? "" : "s") and no audit record "
                                       + "(a JSON object with an \"event\"): not a Tollgate audit log", exitCode: CommandLineError.ExitCode.failure.rawValue)
            }
            print(json ? summary.json.prettyText : summary.text, terminator: json ? "" : "\n")
            return 0
        case .replay(let manifestPath, let json):
            let manifest = try loadManifest(manifestPath, consequence: "nothing was replayed")
            let replay: AuditReplay
            do throws(FileError) {
                replay = try AuditReplay.replay(files: files, under: manifest)
            } catch {
                throw CommandLineError("audit replay: \(error)", exitCode: CommandLineError.ExitCode.failure.rawValue)
            }
            print(json ? replay.json.prettyText : replay.text, terminator: json ? "" : "\n")
            return replay.exitCode
        }
    }
}

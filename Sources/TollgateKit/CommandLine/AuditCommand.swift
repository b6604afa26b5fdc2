#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `tollgate audit` does with its files.
enum AuditAction: Sendable, Equatable {
    /// Check the hash chain, from seq 1 or from the seq given (a log whose older part was removed on purpose).
    case verify(from: Int?)
    /// Print one line per call decided, filtered, optionally following the log.
    case log(AuditReviewOptions)
    /// Print per-tool figures and what a reviewer looks at first, as text or JSON.
    case summary(AuditReviewOptions)
    /// Re-decide every recorded call under another manifest and print what would change.
    case replay(manifestPath: String, json: Bool)
}

/// `tollgate audit verify [--from SEQ] FILE...`, `tollgate audit log [FILE] [OPTIONS]`,
/// `tollgate audit summary [FILE...] [OPTIONS]` and `tollgate audit replay FILE... --manifest NEW [--json]`.
struct AuditCommand {
    let action: AuditAction
    /// The log files, oldest first (`audit.log.2 audit.log.1 audit.log`).
    let files: [String]

    func run() throws(CommandFailure) -> Int32 {
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
        case .log(let options):
            return try showLog(options)
        case .summary(let options):
            return try summarize(options)
        case .replay(let manifestPath, let json):
            let manifest = try loadManifest(manifestPath, consequence: "nothing was replayed")
            let replay: AuditReplay
            do throws(FileError) {
                replay = try AuditReplay.replay(files: files, under: manifest)
            } catch {
                throw CommandFailure.failed("audit replay: \(error)")
            }
            print(json ? replay.json.prettyText : replay.text, terminator: json ? "" : "\n")
            return replay.exitCode
        }
    }

    /// `audit log`: the calls of the log given, or of the manifest's `audit.path`.
    private func showLog(_ options: AuditReviewOptions) throws(CommandFailure) -> Int32 {
        let path = if let file = files.first { file } else { try Self.logPath(manifest: options.manifestPath) }
        let colors = !options.json && isatty(STDOUT_FILENO) == 1 && (FileIO.environment()["NO_COLOR"] ?? "").isEmpty
        let review = AuditReview.LogOptions(filter: options.resolvedFilter(now: .now()), format: AuditLogFormat(colors: colors), json: options.json,
                                            verify: options.verify, key: AuditKey.current())
        let output = AuditReview.Output(line: { print($0) }, note: { Diagnostics.standardError.report("audit log: \($0)") },
                                        flush: { fflush(nil) })
        if options.follow { AuditReview.followLog(path: path, options: review, output: output) }
        do throws(FileError) {
            return try AuditReview.showLog(path: path, options: review, output: output)
        } catch {
            throw CommandFailure.failed("audit log: \(error)")
        }
    }

    /// `audit summary`: the files given (each with its rotated files), or the manifest's log.
    private func summarize(_ options: AuditReviewOptions) throws(CommandFailure) -> Int32 {
        let given = files.isEmpty ? [try Self.logPath(manifest: options.manifestPath)] : files
        let read = AuditLogFiles.expand(given)
        var builder = AuditSummary.Builder(since: options.since?.timestamp(now: .now()))
        var summary: AuditSummary
        do throws(FileError) {
            let verification = try AuditReview.forEachLine(files: read, log: given[given.count - 1], verify: options.verify,
                                                          key: AuditKey.current()) { line, _, _ in builder.add(line: line) }
            summary = builder.summary()
            summary.verification = verification
        } catch {
            throw CommandFailure.failed("audit summary: \(error)")
        }
        let lines = summary.records + summary.skippedLines
        guard summary.events > 0 || lines == 0 else {
            throw CommandFailure.failed("audit summary: \(read.joined(separator: ", ")): \(lines) line\(lines == 1 ? "" : "s") and no audit record "
                                        + "(a JSON object with an \"event\"): not a Tollgate audit log")
        }
        print(options.json ? summary.json.prettyText : summary.text, terminator: options.json ? "" : "\n")
        guard let verification = summary.verification, !verification.isIntact else { return 0 }
        Diagnostics.standardError.report("audit summary: " + AuditReview.warning(verification))
        return 1
    }

    /// The log the manifest names in `audit.path` (the manifest defaults to `tollgate.json`).
    static func logPath(manifest path: String?) throws(CommandFailure) -> String {
        let path = path ?? BudgetCommand.defaultManifest
        guard let audit = try loadManifest(path, consequence: "the audit log it names cannot be read").audit else {
            throw CommandFailure.failed("\(path): has no audit section, so nothing is recorded; give the log's file, "
                                        + "or add \"audit\": {\"path\": \"audit.log\"}")
        }
        return audit.path
    }
}

extension CommandParser {
    /// `tollgate audit log [FILE] [--manifest M] [--denied] [--tool GLOB] [--code CODE]... [--agent A]
    /// [--since DURATION|TIME] [--until TIME] [--follow] [--json] [--no-verify]` and
    /// `tollgate audit summary [FILE...] [--manifest M] [--since DURATION|TIME] [--json] [--no-verify]`.
    mutating func parseAuditReview(_ verb: String) throws(CommandLineError) -> Command {
        let isLog = verb == "log"
        var options = AuditReviewOptions()
        var files: [String] = []
        while let argument = arguments.popFirst() {
            let (name, inline) = Self.split(argument)
            switch name {
            case "--manifest", "-m": options.manifestPath = try value(for: name, inline: inline)
            case "--since": options.since = try time(for: name, inline: inline)
            case "--json": options.json = true
            case "--no-verify": options.verify = false
            case "--help", "-h": throw .helpRequested(Usage.audit)
            case "--denied" where isLog: options.filter.deniedOnly = true
            case "--follow" where isLog, "-f" where isLog: options.follow = true
            case "--until" where isLog: options.until = try time(for: name, inline: inline)
            case "--agent" where isLog: options.filter.agent = try value(for: name, inline: inline)
            case "--tool" where isLog:
                let pattern = try value(for: name, inline: inline)
                do throws(NamePatternError) {
                    options.filter.tool = try NameMatcher(pattern: pattern)
                } catch {
                    throw .usage("'--tool': \(error)")
                }
            case "--code" where isLog:
                let text = try value(for: name, inline: inline)
                guard let code = Denial.Code.allCases.first(where: { $0.rawValue.hasSameScalars(as: text) }) else {
                    throw .usage("'--code': unknown denial code '\(text)'; expected one of \(Denial.Code.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                options.filter.codes.append(code)
            default:
                if argument.hasPrefix("-") && argument != "-" { throw .usage("unknown option '\(argument)' for 'audit \(verb)'") }
                files.append(argument)
            }
        }
        if isLog {
            guard files.count <= 1 else { throw .usage("audit log reads one log (its rotated files too): tollgate audit log [FILE]") }
            return .audit(.log(options), files: files)
        }
        return .audit(.summary(options), files: files)
    }

    private mutating func time(for name: String, inline: String?) throws(CommandLineError) -> AuditTimeSpec {
        let text = try value(for: name, inline: inline)
        do throws(AuditTimeSpec.ParseError) {
            return try AuditTimeSpec.parse(text)
        } catch {
            throw .usage("'\(name)': \(error)")
        }
    }
}

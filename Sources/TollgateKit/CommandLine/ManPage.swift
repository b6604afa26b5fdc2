/// The man page `tollgate(1)` (`tollgate man`), made of the same help texts the binary prints
/// (``Usage``): the overview, then each command's help, as preformatted roff.
enum ManPage {
    /// The page's roff source.
    static var roff: String {
        var page = """
            .TH TOLLGATE 1 "" "tollgate \(Usage.version)" "User Commands"
            .SH NAME
            tollgate \\- a runtime policy and budget gate for MCP tool servers
            .SH SYNOPSIS

            """
        // The overview after its first line (the NAME above).
        page += preformatted(Usage.overview.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(2).joined(separator: "\n"))
        page += ".SH COMMANDS\n"
        for topic in Usage.topics {
            page += ".SS \(topic.command)\n" + preformatted(topic.text)
        }
        page += ".SH SEE ALSO\nThe manifest format: docs/manifest.md in Tollgate's source.\n"
        return page
    }

    /// `text` as a no-fill block, escaped for roff: backslashes, hyphens, and control characters
    /// (`.`, `'`) at the start of a line.
    static func preformatted(_ text: String) -> String {
        var block = ".nf\n"
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var escaped = ""
            for character in line {
                switch character {
                case "\\": escaped += "\\e"
                case "-": escaped += "\\-"
                default: escaped.append(character)
                }
            }
            if escaped.hasPrefix(".") || escaped.hasPrefix("'") { escaped = "\\&" + escaped }
            block += escaped + "\n"
        }
        return block + ".fi\n"
    }
}

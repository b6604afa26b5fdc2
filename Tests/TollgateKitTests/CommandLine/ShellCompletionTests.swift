import Testing
@testable import TollgateKit

/// The completions and the man page come from the help texts: every command, verb and option
/// the help documents is offered, and nothing else.
@Suite("Shell completion and man page")
struct ShellCompletionTests {
    @Test("the options and verbs are read from the help texts")
    func derivedFromUsage() {
        let completion = ShellCompletion()
        let run = completion.entries.first { $0.command == "run" }
        #expect(run?.verbs == [])
        for option in ["--manifest", "-m", "--watch", "--monitor", "--enforce", "--log-level", "-q", "--quiet", "--max-message-mb",
                       "--memory-mb", "--cpu-seconds", "--open-files", "--processes", "--sandbox", "--read", "--write", "--execute", "--network",
                       "--allow-host", "--sandbox-optional", "--agent", "--workflow", "-h", "--help"] {
            #expect(run?.options.contains(option) == true, "run lacks \(option)")
        }
        #expect(run?.options.contains("--") == false)
        #expect(completion.entries.first { $0.command == "audit" }?.verbs == ["verify", "log", "summary", "replay"])
        #expect(completion.entries.first { $0.command == "budget" }?.verbs == ["show", "reset"])
        #expect(completion.entries.first { $0.command == "budget" }?.options.contains("--scope") == true)
        #expect(completion.entries.first { $0.command == "check" }?.options == ["--strict"])
        #expect(completion.commands == ["run", "check", "init", "pin", "audit", "budget", "wrap", "unwrap", "status", "enforce", "doctor", "help"])
        #expect(completion.entries.first { $0.command == "doctor" }?.options == ["--manifest"])
        #expect(completion.entries.first { $0.command == "unwrap" }?.options == ["--client", "--dry-run"])
        #expect(completion.entries.first { $0.command == "wrap" }?.options.contains("--force") == true)
    }

    @Test("each shell's script names every command and option")
    func scripts() {
        let completion = ShellCompletion()
        for shell in ShellCompletion.Shell.allCases {
            let script = completion.script(for: shell)
            for entry in completion.entries {
                #expect(script.contains(entry.command), "\(shell) lacks \(entry.command)")
                for option in entry.options {
                    let spelled = shell == .fish ? (option.hasPrefix("--") ? "-l \(option.dropFirst(2))" : "-s \(option.dropFirst())") : option
                    #expect(script.contains(spelled), "\(shell) lacks \(entry.command) \(option)")
                }
            }
        }
        #expect(completion.script(for: .bash).hasSuffix("complete -o default -F _tollgate tollgate\n"))
        #expect(completion.script(for: .zsh).hasPrefix("#compdef tollgate\n"))
    }

    @Test("the man page holds every help text, escaped for roff")
    func manPage() {
        let page = ManPage.roff
        #expect(page.hasPrefix(".TH TOLLGATE 1 \"\" \"tollgate \(Usage.version)\""))
        for topic in Usage.topics {
            #expect(page.contains(".SS \(topic.command)\n" + ManPage.preformatted(topic.text)), "man page lacks \(topic.command)")
        }
        #expect(page.contains("tollgate run \\-\\-manifest FILE"))
        #expect(ManPage.preformatted(".start\n'quote\\x") == ".nf\n\\&.start\n\\&'quote\\ex\n.fi\n")
    }
}

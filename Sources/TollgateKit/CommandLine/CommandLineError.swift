/// A command line Tollgate cannot run as given, or a request for help that ends its parsing.
/// ``CommandExit`` gives it its message and exit code.
enum CommandLineError: Error, Sendable, Equatable {
    /// The arguments are wrong: what is wrong (exit 2, then a hint to run `--help`).
    case usage(String)
    /// `--help` or `-h` after a command: that command's help (exit 0, printed on stdout).
    case helpRequested(String)
}

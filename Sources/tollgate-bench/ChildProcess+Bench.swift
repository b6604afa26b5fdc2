import TollgateKit
#if canImport(Glibc)
import Glibc
#endif

/// What every measurement does with the server it started.
extension ChildProcess {
    /// The client's `initialize`, as one line.
    static let benchInitialize = #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}"# + "\n"

    /// Closes the server's stdin, waits for it to exit, closes its stdout.
    func closeAndReap() {
        close(input)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(output)
    }
}

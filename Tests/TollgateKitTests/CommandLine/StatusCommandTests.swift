#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TollgateKit

/// `tollgate status` counts an audit log's decisions of the last 24 hours only.
@Suite("Status")
struct StatusCommandTests {
    @Test("lastDay counts the records of the last 24 hours, not older ones")
    func lastDay() throws {
        let now = AuditTimestamp(seconds: 1_800_000_000, microseconds: 0)
        func record(_ secondsAgo: Int64, _ decision: String) -> String {
            let time = AuditTimestamp(seconds: now.seconds - secondsAgo, microseconds: 0).rfc3339
            return #"{"event":"decision","time":"\#(time)","tool":"delete_file","decision":"\#(decision)","code":"tool_denied"}"#
        }
        let lines = [record(90_000, "allowed"), record(86_401, "would_deny"), record(86_000, "would_deny"), record(10, "allowed"), record(5, "denied"), "not json"]
        var template = Array("/tmp/tollgate-status-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(fd >= 0)
        close(fd)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        try FileIO.replace(path, with: Array((lines.joined(separator: "\n") + "\n").utf8))
        let totals = try #require(StatusCommand.lastDay(of: path, now: now))
        #expect(totals.allowed == 1 && totals.denied == 1 && totals.wouldDeny == 1)
        #expect(StatusCommand.lastDay(of: path + ".missing", now: now) == nil)
    }
}

import Testing
@testable import TollgateKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tollgate's regex engine against Node's `RegExp` with the `u` flag (the ECMA-262 reference the
/// manifests' patterns are checked with): generated patterns and strings, one node process.
@Suite("Regex engine agrees with ECMA-262 (node)")
struct RegexDifferentialTests {
    static let node = "/usr/bin/node"

    /// For each pattern, node's `test` of each string, or nil when node refuses the pattern.
    static func nodeResults(_ cases: [(pattern: String, strings: [String])]) throws -> [[Bool]?] {
        let document = JSONValue.array(cases.map { .array([.string($0.pattern), .array($0.strings.map(JSONValue.string))]) })
        var template = Array("/tmp/tollgate-regex-cases-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try #require(fd >= 0)
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        writeFully(fd, Array(document.jsonText.utf8))
        close(fd)
        defer { unlink(path) }
        let script = """
            const cases = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
            process.stdout.write(JSON.stringify(cases.map(([p, strings]) => {
              let r; try { r = new RegExp(p, 'u'); } catch (e) { return null; }
              return strings.map(s => r.test(s));
            })));
            """
        let child = try ChildProcess.spawn(ChildProcess.Configuration(arguments: [node, "-e", script, path]))
        close(child.input)
        let output = readToEnd(child.output)
        close(child.output)
        var status: TollgateKit.ExitStatus?
        for _ in 0..<2000 where status == nil {
            status = child.reap()
            if status == nil { usleep(5000) }
        }
        try #require(status == .exited(0), "node failed: \(String(describing: status))")
        let results = try #require(try json(output).arrayValue)
        try #require(results.count == cases.count)
        return results.map { result in result.arrayValue.map { $0.map { $0.boolValue ?? false } } }
    }

    /// Our result for each string (the lazy DFA's, which must agree with the Pike VM's), or the refusal.
    static func ourResults(_ pattern: String, _ strings: [String]) throws -> Result<[Bool], RegexError> {
        let program: RegexProgram
        do throws(RegexError) {
            program = try RegexProgram(compiling: pattern)
        } catch {
            return .failure(error)
        }
        return .success(try strings.map { string in
            let (dfa, pikeVM) = try program.answers(string)
            let answer = try #require(dfa as Bool?, "the DFA gave up on \(pattern.debugDescription) against \(string.debugDescription)")
            #expect(answer == pikeVM, "\(pattern.debugDescription) on \(string.debugDescription): the DFA says \(answer), the Pike VM \(pikeVM)")
            return answer
        })
    }

    @Test("node is installed (the differential tests need it)")
    func nodeIsThere() {
        #expect(access(Self.node, X_OK) == 0, "\(Self.node) is missing: install Node 20 to run the differential tests")
    }

    @Test("generated valid patterns match exactly the strings RegExp matches", arguments: 0..<2)
    func validPatterns(seed: UInt64) throws {
        try #require(access(Self.node, X_OK) == 0, "\(Self.node) is missing")
        var generator = PatternGenerator(seed: 0x5EC0DE &+ seed)
        let cases = (0..<2000).map { _ in (pattern: generator.pattern(), strings: (0..<10).map { _ in generator.string() }) }
        let expected = try Self.nodeResults(cases)
        var mismatches = 0
        var matched = 0, total = 0
        for (index, (pattern, strings)) in cases.enumerated() {
            guard let theirs = expected[index] else {
                Issue.record("node refused the generated pattern \(pattern.debugDescription): fix the generator")
                continue
            }
            switch try Self.ourResults(pattern, strings) {
            case .failure(let error):
                Issue.record("\(pattern.debugDescription) was refused: \(error)")
                mismatches += 1
            case .success(let ours):
                for (string, (mine, node)) in zip(strings, zip(ours, theirs)) where mine != node {
                    Issue.record("\(pattern.debugDescription) on \(string.debugDescription): node says \(node), Tollgate \(mine)")
                    mismatches += 1
                }
                matched += ours.filter { $0 }.count
                total += ours.count
            }
            if mismatches > 20 { return }
        }
        // Both outcomes must be common, or the comparison proves little.
        #expect(matched > total / 10 && matched < total * 9 / 10, "matched \(matched) of \(total)")
    }

    @Test("mutated patterns are refused when RegExp refuses them, and otherwise match alike")
    func mutatedPatterns() throws {
        try #require(access(Self.node, X_OK) == 0, "\(Self.node) is missing")
        var generator = PatternGenerator(seed: 0xBAD5EED)
        let cases = (0..<3000).map { _ in
            let pattern = generator.mutated(generator.pattern())
            return (pattern: pattern, strings: (0..<4).map { _ in generator.string() })
        }
        let expected = try Self.nodeResults(cases)
        var refusedByBoth = 0
        var problems = 0
        for (index, (pattern, strings)) in cases.enumerated() {
            switch (expected[index], try Self.ourResults(pattern, strings)) {
            case (nil, .failure):
                refusedByBoth += 1
            case (nil, .success):
                Issue.record("\(pattern.debugDescription): RegExp refuses it, Tollgate accepted it")
                problems += 1
            case (_?, .failure(let error)):
                // Valid ECMA-262 that Tollgate refuses on purpose (not linear), never as a syntax error.
                if error.kind == .syntax {
                    Issue.record("\(pattern.debugDescription): RegExp accepts it, Tollgate says \(error)")
                    problems += 1
                }
            case (let theirs?, .success(let ours)):
                for (string, (mine, node)) in zip(strings, zip(ours, theirs)) where mine != node {
                    Issue.record("\(pattern.debugDescription) on \(string.debugDescription): node says \(node), Tollgate \(mine)")
                    problems += 1
                }
            }
            if problems > 20 { return }
        }
        #expect(refusedByBoth > 300, "only \(refusedByBoth) mutations were invalid")
    }
}

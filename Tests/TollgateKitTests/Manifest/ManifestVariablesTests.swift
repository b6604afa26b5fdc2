import Testing
@testable import TollgateKit

@Suite("Manifest variables")
struct ManifestVariablesTests {
    let variables = ManifestVariables(environment: ["REPO": "/home/me/repo", "EMPTY": "", "PRICE": "$5", "NESTED": "${REPO}"],
                                      manifestDirectory: "/etc/tollgate")

    private func expand(_ text: String) -> Result<String, ManifestVariables.Problem> {
        Result { () throws(ManifestVariables.Problem) -> String in try variables.expand(text) }
    }

    @Test("references expand; everything else stays as written", arguments: [
        ("plain text", "plain text"),
        ("${REPO}", "/home/me/repo"),
        ("--repository=${REPO}/sub", "--repository=/home/me/repo/sub"),
        ("${MANIFEST_DIR}/audit.log", "/etc/tollgate/audit.log"),
        ("${REPO}${REPO}", "/home/me/repo/home/me/repo"),
        ("$$", "$"),
        ("$${REPO}", "${REPO}"),
        ("cost: $$5", "cost: $5"),
        ("$HOME and $1 and a$b", "$HOME and $1 and a$b"),
        ("trailing $", "trailing $"),
        ("${UNSET:-fallback}", "fallback"),
        ("${UNSET:-}", ""),
        ("${EMPTY:-used when empty}", "used when empty"),
        ("${EMPTY}", ""),
        ("${REPO:-unused}", "/home/me/repo"),
        ("${UNSET:-a b/c:d}", "a b/c:d"),
        ("${PRICE}", "$5"),
        ("${NESTED}", "${REPO}"),
        ("é ${REPO} ✓", "é /home/me/repo ✓"),
    ])
    func expands(text: String, expected: String) {
        #expect(expand(text) == .success(expected))
    }

    @Test("MANIFEST_DIR is always the manifest's folder, never the environment's")
    func manifestDirectory() {
        let shadowed = ManifestVariables(environment: ["MANIFEST_DIR": "/elsewhere"], manifestDirectory: "/here")
        #expect(Result { () throws(ManifestVariables.Problem) -> String in try shadowed.expand("${MANIFEST_DIR}") } == .success("/here"))
    }

    @Test("unset variables without a default are named, each once, in order")
    func unset() {
        #expect(expand("${A}/${REPO}/${B}/${A}") == .failure(.unset(["A", "B"])))
        #expect(ManifestVariables.Problem.unset(["A"]).description
                == "${A} is not set in Tollgate's environment; set it, or write ${A:-default}")
    }

    @Test("malformed references are problems saying what is expected", arguments: [
        ("${REPO", "is not closed"),
        ("${}", "does not start with a variable name"),
        ("${1X}", "does not start with a variable name"),
        ("${A-B}", "does not start with a variable name"),
        ("${A:x}", "expected ${NAME} or ${NAME:-default}"),
        ("${A:=x}", "expected ${NAME} or ${NAME:-default}"),
    ])
    func malformed(text: String, expected: String) {
        guard case .failure(.malformed(let message)) = expand(text) else {
            Issue.record("\(text) expanded as \(expand(text))")
            return
        }
        #expect(message.contains(expected), "\(message)")
    }

    @Test("variable names: letters, digits, _; not a digit first")
    func names() {
        #expect(ManifestVariables.isVariableName(Array("A_1".utf8)))
        #expect(ManifestVariables.isVariableName(Array("_x".utf8)))
        #expect(!ManifestVariables.isVariableName(Array("1A".utf8)))
        #expect(!ManifestVariables.isVariableName(Array("A-B".utf8)))
        #expect(!ManifestVariables.isVariableName(Array("".utf8)))
        #expect(!ManifestVariables.isVariableName(Array("[".utf8)))
    }
}

@testable import TollgateKit

extension RegexProgram {
    /// The answers of both engines for `string` (with a fresh budget): the lazy DFA's (nil when it
    /// gave up) and the Pike VM's.
    func answers(_ string: String) throws(MatchBudget.Exhausted) -> (dfa: Bool?, pikeVM: Bool) {
        var string = string
        let outcome = string.withUTF8 { text -> Result<(Bool?, Bool), MatchBudget.Exhausted> in
            do throws(MatchBudget.Exhausted) {
                var budget = MatchBudget()
                let dfa = try RegexDFA.search(self, in: text, budget: &budget)
                budget = MatchBudget()
                return .success((dfa, try RegexMachine.search(self, in: text, budget: &budget)))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Whether the pattern matches `string` as the gate searches it, with a fresh budget.
    func matches(_ string: String) throws(MatchBudget.Exhausted) -> Bool {
        var budget = MatchBudget()
        return try matches(string, budget: &budget)
    }
}

/// Request and response over raw lines, with whatever else the gate sends in between.
extension GateProcess {
    /// Reads until the response to `id` (a number or a string, given as text), returning it and
    /// the other messages read on the way (notifications, server requests).
    func response(to id: String) async throws -> (response: JSON, others: [JSON]) {
        var others: [JSON] = []
        while true {
            let message = try await readJSON()
            if message["id"].string == id || message["id"].int.map(String.init) == id { return (message, others) }
            others.append(message)
        }
    }

    /// Sends `line`, a request of id `id`, and reads until its response (see ``response(to:)``).
    func exchange(_ line: String, id: String) async throws -> (response: JSON, others: [JSON]) {
        try await send(line)
        return try await response(to: id)
    }
}

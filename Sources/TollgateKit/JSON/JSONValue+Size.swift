extension JSONValue {
    /// About how many bytes the value takes serialized (strings as their UTF-8 without escapes),
    /// counted until it passes `limit`: a result over `limit` means "more than `limit`", found
    /// without walking the rest of a large value.
    func approximateSize(limit: Int) -> Int {
        var total = 0
        var stack: [JSONValue] = [self]
        while let value = stack.popLast(), total <= limit {
            switch value {
            case .null, .bool: total += 5
            case .number(let text): total += text.utf8.count
            case .string(let text): total += text.utf8.count + 2
            case .array(let elements):
                total += 2 + elements.count
                stack += elements
            case .object(let object):
                total += 2 + object.count
                for member in object.members {
                    total += member.key.utf8.count + 3
                    stack.append(member.value)
                }
            }
        }
        return total
    }
}

/// Variables inside argument schemas: the directories of `pathWithin` and the hosts of `hostIn`
/// (every other field expands its variables as it is read, through ``ManifestDecoder``).
extension ManifestLoader {
    /// An argument schema with the variables of its `pathWithin` and `hostIn` lists expanded and
    /// relative `pathWithin` directories made absolute from the manifest's folder. It follows the
    /// schema's structure (`properties`, `additionalProperties`, `items`, `anyOf`, `not`), so a
    /// property or a `const` value that happens to bear one of those names is left as it is.
    static func expandingVariables(in schema: SourceValue, path: String, decoder: inout ManifestDecoder) -> SourceValue {
        guard case .object(var members) = schema.kind else { return schema }
        for index in members.indices {
            let member = members[index]
            let memberPath = "\(path).\(member.key)"
            switch member.key {
            case "pathWithin", "hostIn":
                guard case .array(var elements) = member.value.kind else { continue }
                for (position, element) in elements.enumerated() {
                    let elementPath = "\(memberPath)[\(position)]"
                    let unsetBefore = decoder.unsetVariables.count
                    guard case .string(let text) = element.kind, var value = decoder.expand(text, at: element, path: elementPath, nonEmpty: false)
                    else { continue }
                    if member.key == "pathWithin" && !value.isEmpty {
                        value = FileIO.absolute(value, base: decoder.variables.manifestDirectory)
                        if decoder.unsetVariables.count == unsetBefore { decoder.require(value, .directory, at: element, path: elementPath) }
                    }
                    elements[position].kind = .string(value)
                }
                members[index].value.kind = .array(elements)
            case "properties":
                guard case .object(var properties) = member.value.kind else { continue }
                for position in properties.indices {
                    let property = properties[position]
                    properties[position].value = expandingVariables(in: property.value, path: "\(memberPath).\(property.key)", decoder: &decoder)
                }
                members[index].value.kind = .object(properties)
            case "anyOf":
                guard case .array(var alternatives) = member.value.kind else { continue }
                for position in alternatives.indices {
                    alternatives[position] = expandingVariables(in: alternatives[position], path: "\(memberPath)[\(position)]", decoder: &decoder)
                }
                members[index].value.kind = .array(alternatives)
            case "additionalProperties", "items", "not":
                members[index].value = expandingVariables(in: member.value, path: memberPath, decoder: &decoder)
            default:
                continue
            }
        }
        return SourceValue(kind: .object(members), offset: schema.offset)
    }
}

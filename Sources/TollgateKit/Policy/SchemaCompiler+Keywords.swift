extension SchemaCompiler {
    /// Compiles one keyword of a schema object into `node`; `path` ends with the keyword.
    mutating func compileKeyword(_ keyword: String, _ value: JSONValue, into node: inout SchemaNode.Draft, at path: [String]) throws(SchemaCompileError) {
        if Self.annotationKeywords.contains(ProtocolName(keyword)) { return }
        if strictness == .lenient {
            if Self.lenientAnnotationKeywords.contains(ProtocolName(keyword)) { return }
            if Self.manifestOnlyKeywords.contains(ProtocolName(keyword)) { throw unsupported(keyword, at: path) }
        }
        switch ProtocolName(keyword) {
        case "type": node.types = try types(value, at: path)
        case "enum":
            guard case .array(let values) = value, !values.isEmpty else {
                throw SchemaCompileError(path: path, message: "\"enum\" must be a non-empty array of values")
            }
            node.allowedValues = values
        case "const": node.constant = value
        case "minimum": setNumber(\.minimum, try number(value, at: path), in: &node)
        case "maximum": setNumber(\.maximum, try number(value, at: path), in: &node)
        case "exclusiveMinimum": setNumber(\.exclusiveMinimum, try number(value, at: path), in: &node)
        case "exclusiveMaximum": setNumber(\.exclusiveMaximum, try number(value, at: path), in: &node)
        case "minLength": node.string[creating: StringRules()].minLength = try count(value, at: path)
        case "maxLength": node.string[creating: StringRules()].maxLength = try count(value, at: path)
        case "pattern":
            let source = try string(value, at: path)
            do throws(SchemaCompileError) {
                node.string[creating: StringRules()].pattern = try SchemaPattern(source)
            } catch {
                throw SchemaCompileError(path: path, message: error.message)
            }
        case "pathWithin":
            let directories = try strings(value, at: path)
            do throws(SchemaCompileError) {
                node.string[creating: StringRules()].pathWithin = try PathWithin(directories, workingDirectory: context.workingDirectory)
            } catch {
                throw SchemaCompileError(path: path + error.path, message: error.message)
            }
        case "hostIn":
            let hosts = try strings(value, at: path)
            do throws(SchemaCompileError) {
                node.string[creating: StringRules()].hostIn = try HostIn(hosts)
            } catch {
                throw SchemaCompileError(path: path + error.path, message: error.message)
            }
        case "minItems": node.array[creating: ArrayRules()].minItems = try count(value, at: path)
        case "maxItems": node.array[creating: ArrayRules()].maxItems = try count(value, at: path)
        case "items":
            if case .array = value {
                throw SchemaCompileError(path: path, message: "\"items\" must be one schema for every element; the array (tuple) form is not supported")
            }
            node.array[creating: ArrayRules()].items = try compile(value, at: path)
        case "properties":
            guard case .object(let properties) = value else {
                throw SchemaCompileError(path: path, message: "\"properties\" must be an object of schemas, not \(value.typeName)")
            }
            var rules = node.object ?? ObjectRules()
            for member in properties.members {
                rules.propertyNames.append(ExactName(member.key))
                rules.propertySchemas.append(try compile(member.value, at: path + [member.key]))
            }
            node.object = rules
        case "required": node.object[creating: ObjectRules()].required = try strings(value, at: path, allowEmpty: true).map(ExactName.init)
        case "additionalProperties":
            let additional: ObjectRules.Additional = switch value {
            case .bool(true): .allowed
            case .bool(false): .forbidden
            default: .schema(try compile(value, at: path))
            }
            node.object[creating: ObjectRules()].additional = additional
        case "anyOf":
            guard case .array(let alternatives) = value, !alternatives.isEmpty else {
                throw SchemaCompileError(path: path, message: "\"anyOf\" must be a non-empty array of schemas")
            }
            for (index, alternative) in alternatives.enumerated() {
                node.anyOf.append(try compile(alternative, at: path + [String(index)]))
            }
        case "not":
            let before = ignored.count
            let negated = try compile(value, at: path)
            if ignored.count > before {
                // Skipping a keyword inside `not` would make the schema stricter, not looser: drop the whole `not`.
                ignored.removeSubrange(before...)
                ignored.append(JSONPointer.string(path))
                return
            }
            node.not = negated
        default:
            throw unsupported(keyword, at: path)
        }
    }

    private func setNumber(_ bound: WritableKeyPath<NumberRules, ExactDecimal?>, _ value: ExactDecimal, in node: inout SchemaNode.Draft) {
        var rules = node.number ?? NumberRules()
        rules[keyPath: bound] = value
        node.number = rules
    }

    private func keywordName(_ path: [String]) -> String { "\"\(path.last ?? "")\"" }

    /// A short description of a wrong value: its text if short, else its type.
    private func describe(_ value: JSONValue) -> String {
        let text = value.jsonText
        return text.utf8.count <= 40 ? text : value.typeName
    }

    /// `type`: one type name or a non-empty array of them.
    private func types(_ value: JSONValue, at path: [String]) throws(SchemaCompileError) -> SchemaTypes {
        let expected = "one of null, boolean, object, array, number, integer, string"
        switch value {
        case .string(let name):
            guard let type = SchemaTypes(name: name) else {
                throw SchemaCompileError(path: path, message: "unknown type \(name.debugDescription); expected \(expected)")
            }
            return type
        case .array(let names) where !names.isEmpty:
            var types: SchemaTypes = []
            for (index, element) in names.enumerated() {
                guard case .string(let name) = element, let type = SchemaTypes(name: name) else {
                    throw SchemaCompileError(path: path + [String(index)], message: "\(element.jsonText) is not a type; expected \(expected)")
                }
                types.insert(type)
            }
            return types
        default:
            throw SchemaCompileError(path: path, message: "\"type\" must be a type name or a non-empty array of type names (\(expected))")
        }
    }

    /// A number keyword (draft 6+ form: the bound itself, not a boolean).
    private func number(_ value: JSONValue, at path: [String]) throws(SchemaCompileError) -> ExactDecimal {
        guard case .number(let text) = value, let number = ExactDecimal(text) else {
            var message = "\(keywordName(path)) must be a number, not \(value.typeName)"
            if case .bool = value { message += " (the draft-4 boolean form is not supported: give the bound itself)" }
            throw SchemaCompileError(path: path, message: message)
        }
        return number
    }

    /// A count keyword: a non-negative integer (`3.0` counts; very large values are clamped).
    private func count(_ value: JSONValue, at path: [String]) throws(SchemaCompileError) -> Int {
        guard case .number(let text) = value, let number = ExactDecimal(text), number.isInteger, !number.negative else {
            throw SchemaCompileError(path: path, message: "\(keywordName(path)) must be a non-negative integer, not \(describe(value))")
        }
        if number.digits.isEmpty { return 0 }
        guard number.exponent <= 18 else { return Int.max }
        var result = 0
        for index in 0..<number.exponent {
            result = result * 10 + (index < number.digits.count ? Int(number.digits[index] - 0x30) : 0)
        }
        return result
    }

    private func string(_ value: JSONValue, at path: [String]) throws(SchemaCompileError) -> String {
        guard case .string(let string) = value else {
            throw SchemaCompileError(path: path, message: "\(keywordName(path)) must be a string, not \(value.typeName)")
        }
        return string
    }

    /// An array of strings (non-empty unless `allowEmpty`).
    private func strings(_ value: JSONValue, at path: [String], allowEmpty: Bool = false) throws(SchemaCompileError) -> [String] {
        guard case .array(let elements) = value, allowEmpty || !elements.isEmpty else {
            let what = allowEmpty ? "an array of strings" : "a non-empty array of strings"
            throw SchemaCompileError(path: path, message: "\(keywordName(path)) must be \(what), not \(describe(value))")
        }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let string) = element else {
                throw SchemaCompileError(path: path + [String(index)], message: "\(keywordName(path)) must list strings, not \(element.typeName)")
            }
            strings.append(string)
        }
        return strings
    }
}

/// A set of Unicode General_Category values, one bit each: what `\p{L}` or `\p{Lu}` stands for.
///
/// A scalar's category comes from the Unicode data of the Swift runtime; every scalar has exactly
/// one, so `\P{X}` is the set of all the other categories.
struct GeneralCategories: OptionSet, Hashable, Sendable {
    let rawValue: UInt32

    init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The set holding one category.
    init(_ category: Unicode.GeneralCategory) {
        let bit: UInt32 = switch category {
        case .uppercaseLetter: 0
        case .lowercaseLetter: 1
        case .titlecaseLetter: 2
        case .modifierLetter: 3
        case .otherLetter: 4
        case .nonspacingMark: 5
        case .spacingMark: 6
        case .enclosingMark: 7
        case .decimalNumber: 8
        case .letterNumber: 9
        case .otherNumber: 10
        case .connectorPunctuation: 11
        case .dashPunctuation: 12
        case .openPunctuation: 13
        case .closePunctuation: 14
        case .initialPunctuation: 15
        case .finalPunctuation: 16
        case .otherPunctuation: 17
        case .mathSymbol: 18
        case .currencySymbol: 19
        case .modifierSymbol: 20
        case .otherSymbol: 21
        case .spaceSeparator: 22
        case .lineSeparator: 23
        case .paragraphSeparator: 24
        case .control: 25
        case .format: 26
        case .surrogate: 27
        case .privateUse: 28
        case .unassigned: 29
        @unknown default: 29
        }
        self.init(rawValue: 1 << bit)
    }

    /// Every category.
    static let all = GeneralCategories(rawValue: (1 << 30) - 1)

    /// Whether the scalar with this value is in one of the categories (a surrogate value, which
    /// no Swift string holds, is in none).
    func contains(scalar value: UInt32) -> Bool {
        guard let scalar = Unicode.Scalar(value) else { return false }
        return contains(GeneralCategories(scalar.properties.generalCategory))
    }

    /// The categories a General_Category value names, by its short or long name or an alias
    /// (`Lu`, `Uppercase_Letter`, `L`, `Letter`, `digit`, …), exactly as ECMA-262 spells them;
    /// nil for any other name. `name` must be ASCII (so String comparison is byte comparison).
    static func named(_ name: String) -> GeneralCategories? {
        byName[name]
    }

    private static func of(_ categories: Unicode.GeneralCategory...) -> GeneralCategories {
        categories.reduce(into: GeneralCategories()) { $0.formUnion(GeneralCategories($1)) }
    }

    /// ECMA-262's table of General_Category values and aliases (from Unicode's PropertyValueAliases.txt).
    private static let byName: [String: GeneralCategories] = {
        let letters = of(.uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter)
        let marks = of(.nonspacingMark, .spacingMark, .enclosingMark)
        let numbers = of(.decimalNumber, .letterNumber, .otherNumber)
        let punctuation = of(.connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                             .initialPunctuation, .finalPunctuation, .otherPunctuation)
        let symbols = of(.mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol)
        let separators = of(.spaceSeparator, .lineSeparator, .paragraphSeparator)
        let other = of(.control, .format, .surrogate, .privateUse, .unassigned)
        let entries: [([String], GeneralCategories)] = [
            (["L", "Letter"], letters),
            (["LC", "Cased_Letter"], of(.uppercaseLetter, .lowercaseLetter, .titlecaseLetter)),
            (["Lu", "Uppercase_Letter"], of(.uppercaseLetter)),
            (["Ll", "Lowercase_Letter"], of(.lowercaseLetter)),
            (["Lt", "Titlecase_Letter"], of(.titlecaseLetter)),
            (["Lm", "Modifier_Letter"], of(.modifierLetter)),
            (["Lo", "Other_Letter"], of(.otherLetter)),
            (["M", "Mark", "Combining_Mark"], marks),
            (["Mn", "Nonspacing_Mark"], of(.nonspacingMark)),
            (["Mc", "Spacing_Mark"], of(.spacingMark)),
            (["Me", "Enclosing_Mark"], of(.enclosingMark)),
            (["N", "Number"], numbers),
            (["Nd", "Decimal_Number", "digit"], of(.decimalNumber)),
            (["Nl", "Letter_Number"], of(.letterNumber)),
            (["No", "Other_Number"], of(.otherNumber)),
            (["P", "Punctuation", "punct"], punctuation),
            (["Pc", "Connector_Punctuation"], of(.connectorPunctuation)),
            (["Pd", "Dash_Punctuation"], of(.dashPunctuation)),
            (["Ps", "Open_Punctuation"], of(.openPunctuation)),
            (["Pe", "Close_Punctuation"], of(.closePunctuation)),
            (["Pi", "Initial_Punctuation"], of(.initialPunctuation)),
            (["Pf", "Final_Punctuation"], of(.finalPunctuation)),
            (["Po", "Other_Punctuation"], of(.otherPunctuation)),
            (["S", "Symbol"], symbols),
            (["Sm", "Math_Symbol"], of(.mathSymbol)),
            (["Sc", "Currency_Symbol"], of(.currencySymbol)),
            (["Sk", "Modifier_Symbol"], of(.modifierSymbol)),
            (["So", "Other_Symbol"], of(.otherSymbol)),
            (["Z", "Separator"], separators),
            (["Zs", "Space_Separator"], of(.spaceSeparator)),
            (["Zl", "Line_Separator"], of(.lineSeparator)),
            (["Zp", "Paragraph_Separator"], of(.paragraphSeparator)),
            (["C", "Other"], other),
            (["Cc", "Control", "cntrl"], of(.control)),
            (["Cf", "Format"], of(.format)),
            (["Cs", "Surrogate"], of(.surrogate)),
            (["Co", "Private_Use"], of(.privateUse)),
            (["Cn", "Unassigned"], of(.unassigned)),
        ]
        var table: [String: GeneralCategories] = [:]
        for (names, categories) in entries {
            for name in names { table[name] = categories }
        }
        return table
    }()
}

/// Estimates how many tokens a tool result costs the model that reads it, cheaply (one pass over
/// the bytes, no vocabulary, about 3 ns per byte), for `budgets.resultTokens` and
/// `tools.X.maxResultTokens`.
///
/// Text: the estimate is the larger of a floor and a shape count.
/// - Floor: ⌈UTF-8 bytes / 4⌉, the usual rule of thumb for English with BPE tokenizers.
/// - Shape count, in tenths of a token, over runs of characters, rounded to the nearest token:
///   - a word (a run of letters) is 1.1 tokens, plus 0.2 per letter beyond 6 (long and rare
///     words split), plus 0.4 per non-ASCII letter (accented, Cyrillic, Greek… split more),
///     plus 0.8 per upper-case letter right after a lower-case one (camelCase pieces);
///   - an opaque run (base64, keys, hashes: 16 or more of `A-Z a-z 0-9 + / = _ -` with at
///     least three upper-case letters, three lower-case letters and three digits) is 0.7 token
///     per character: random text tokenizes at about 1.4 bytes per token, far above bytes / 4;
///   - a run of digits is ⌈n / 3⌉ tokens (tokenizers split numbers into groups of up to three);
///   - a run of ASCII punctuation is ⌈n / 2⌉ tokens (`":`, `{"`, `);` are single tokens);
///   - a single space is free (it joins the next word); any other run of white space is 1 token
///     plus 1 per 16 characters (newlines, indentation);
///   - a CJK, kana or hangul character is 1 token; a character outside the Basic Multilingual
///     Plane (emoji) 2.5; other non-ASCII symbols 1.5; control characters 1.
///
///   Measured against the cl100k_base and o200k_base vocabularies on 22 samples (English prose
///   and docs, Swift, Python, a diff, compact and pretty JSON, a JSON Schema, HTML, Markdown,
///   CSV, logs, UUIDs, base64, Chinese, Japanese, Korean, Russian, German, French, emoji), the
///   estimate is 0.81–1.25 × cl100k (0.89–1.25 on everything but Korean and Chinese), while the
///   bytes / 4 floor alone ranges from 0.35 × (base64) to 1.17 ×. Newer vocabularies (o200k)
///   encode non-English text in fewer tokens, so there the estimate errs high (up to 2.5 × on
///   Russian): an over-count, the safe side for a cap.
///
/// A `CallToolResult` adds up everything a model may read of it, each text at no less than a
/// quarter of its bytes (see `docs/manifest.md`, "What a result costs"):
/// - `text`: its `text` as above;
/// - `image`: a fixed ``imageTokens`` (models scale images to about 1.15 megapixels, ≈ 1 600
///   tokens at width × height / 750; the image is not decoded);
/// - `audio`: ``audioTokens``, or 32 tokens per 1 000 base64 characters of `data` when more
///   (32 tokens a second at 6 kbit/s, the least a speech codec uses);
/// - `resource`: its `text` as above, its `blob` as an image (`image/` types), as audio
///   (`audio/` types) or else as the base64 text a client may pass on; and the rest of the
///   resource (`uri`, `mimeType`, `_meta`…) as compact JSON text;
/// - `resource_link`, an unknown kind, or an item without the member its kind needs: the whole
///   item as compact JSON text (so a link's `uri`, `name` and `description` count);
/// - `structuredContent`: its compact JSON text. A client gives the model either it or the text
///   item that carries it (the specification asks servers to send both): when a text item holds
///   exactly the same JSON value, only what the structured form has beyond that item counts.
/// `_meta` and `isError` of the result are not counted: clients keep them from the model.
public enum TokenEstimator {
    /// Tokens counted for one image.
    public static let imageTokens: Int64 = 1_600
    /// Tokens counted for one audio clip.
    public static let audioTokens: Int64 = 2_000

    private static let upperAfterLower: Int64 = 8

    /// The estimated tokens of a text.
    public static func estimate(text: String) -> Int64 {
        var text = text
        return text.withUTF8 { estimate(utf8: UnsafeRawBufferPointer($0)) }
    }

    /// The estimated tokens of UTF-8 text.
    public static func estimate(utf8 bytes: UnsafeRawBufferPointer) -> Int64 {
        base64Classes.withUnsafeBufferPointer { estimate(bytes, classes: $0) }
    }

    private static func estimate(_ bytes: UnsafeRawBufferPointer, classes: UnsafeBufferPointer<UInt8>) -> Int64 {
        let count = bytes.count
        let floor = Int64((count + 3) / 4)
        var tenths: Int64 = 0
        var word = Word()
        var i = 0
        while i < count {
            let byte = bytes[i]
            if byte >= 0x80 {
                let (scalar, length) = decode(bytes, at: i)
                i += length
                switch kind(of: scalar) {
                case .letter: word.add(extra: 4)
                case .ideograph: tenths += word.close() + 10
                case .wide: tenths += word.close() + 25
                case .symbol: tenths += word.close() + 15
                }
                continue
            }
            let folded = byte | 0x20
            let isLetter = folded >= 0x61 && folded <= 0x7A
            let isDigit = byte &- 0x30 < 10
            if word.length == 0 && (isLetter || isDigit), let end = opaqueRun(bytes, from: i, classes: classes) {
                tenths += Int64(end - i) * opaqueTenthsPerCharacter
                i = end
                continue
            }
            if isLetter {
                // An upper-case letter after a lower-case one starts a new piece (camelCase, base64).
                let afterLower = i > 0 && bytes[i - 1] &- 0x61 < 26
                word.add(extra: byte < 0x61 && afterLower ? upperAfterLower : 0)
                i += 1
                continue
            }
            tenths += word.close()
            var end = i + 1
            if isDigit {
                while end < count && bytes[end] &- 0x30 < 10 { end += 1 }
                tenths += Int64((end - i + 2) / 3) * 10
            } else if byte == 0x20 && !(end < count && isSpace(bytes[end])) {
                // A single space joins the next token.
            } else if isSpace(byte) {
                while end < count && isSpace(bytes[end]) { end += 1 }
                tenths += 10 + Int64((end - i) / 16) * 10
            } else if byte > 0x20 && byte < 0x7F {
                while end < count && bytes[end] > 0x20 && bytes[end] < 0x7F && !isAlphanumeric(bytes[end]) { end += 1 }
                tenths += Int64((end - i + 1) / 2) * 10
            } else {
                tenths += 10
            }
            i = end
        }
        tenths += word.close()
        return Swift.max(floor, (tenths + 5) / 10)
    }

    /// The word being read: its letters and its extra tenths.
    private struct Word {
        var length = 0
        var extra: Int64 = 0

        @inline(__always)
        mutating func add(extra more: Int64) {
            length += 1
            extra += more
        }

        /// The word's tenths (0 when there is none); starts a new word.
        @inline(__always)
        mutating func close() -> Int64 {
            guard length > 0 else { return 0 }
            let tenths = 11 + Int64(Swift.max(0, length - 6)) * 2 + extra
            length = 0
            extra = 0
            return tenths
        }
    }

    /// Tenths of a token per character of an opaque run (base64, keys, hashes in mixed case).
    private static let opaqueTenthsPerCharacter: Int64 = 7

    /// Classes of ASCII bytes for ``opaqueRun(_:from:)``: 1 upper-case letter, 2 lower-case
    /// letter, 4 digit, 8 other base64 character (`+ / = _ -`), 0 anything else.
    private static let base64Classes: [UInt8] = (0..<256).map { byte in
        switch byte {
        case 0x41...0x5A: 1
        case 0x61...0x7A: 2
        case 0x30...0x39: 4
        case 0x2B, 0x2F, 0x3D, 0x5F, 0x2D: 8
        default: 0
        }
    }

    /// The end of a run of base64 characters (`A-Z a-z 0-9 + / = _ -`) starting at `start` when it
    /// looks random, not like a word or identifier: at least 16 characters, with at least three
    /// each of upper-case letters, lower-case letters and digits.
    @inline(__always)
    private static func opaqueRun(_ bytes: UnsafeRawBufferPointer, from start: Int, classes: UnsafeBufferPointer<UInt8>) -> Int? {
        var end = start
        var upper = 0, lower = 0, digits = 0
        while end < bytes.count {
            let kind = Int(classes[Int(bytes[end])])
            if kind == 0 { break }
            upper += kind & 1
            lower += kind >> 1 & 1
            digits += kind >> 2 & 1
            end += 1
            // A prose word has no digits: give up after 16 characters without them.
            if end - start == 16 && (digits == 0 || upper == 0) { return nil }
        }
        return end - start >= 16 && upper >= 3 && lower >= 3 && digits >= 3 ? end : nil
    }

    @inline(__always)
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D }

    @inline(__always)
    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A)
    }

    private enum ScalarKind { case letter, ideograph, wide, symbol }

    /// How a non-ASCII scalar tokenizes.
    private static func kind(of scalar: UInt32) -> ScalarKind {
        switch scalar {
        case 0x2E80...0x9FFF, 0xAC00...0xD7AF, 0xF900...0xFAFF, 0xFF00...0xFFEF, 0x20000...0x3FFFF: .ideograph
        case 0x10000...: .wide
        case 0x00C0...0x024F, 0x0370...0x052F, 0x0590...0x06FF, 0x0900...0x0DFF, 0x1E00...0x1FFF: .letter
        default: .symbol
        }
    }

    /// Decodes the scalar at `i` (invalid bytes count as one symbol each).
    private static func decode(_ bytes: UnsafeRawBufferPointer, at i: Int) -> (UInt32, Int) {
        let lead = bytes[i]
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1
        guard length > 1, i + length <= bytes.count else { return (0xFFFD, 1) }
        var scalar = UInt32(lead) & (0x7F >> UInt32(length))
        for k in 1..<length {
            let next = bytes[i + k]
            guard next & 0xC0 == 0x80 else { return (0xFFFD, 1) }
            scalar = scalar << 6 | UInt32(next & 0x3F)
        }
        return (scalar, length)
    }
}

import Basics
import Foundation
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `Markup.escape` checked by a parser nobody here wrote (libxml2, through Foundation's
/// XMLParser): whatever the text, escaped into an attribute and an element it parses back to the
/// same text, less the characters XML cannot hold.
struct MarkupTests {
    final class Reader: NSObject, XMLParserDelegate {
        var attribute: String?
        var text = ""
        func parser(
            _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) { attribute = attributes["v"] }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }
    }

    static func parse(_ document: String) -> (attribute: String?, text: String)? {
        let reader = Reader()
        let parser = XMLParser(data: Data(document.utf8))
        parser.delegate = reader
        guard parser.parse() else { return nil }
        return (reader.attribute, reader.text)
    }

    @Test func escapedTextParsesBackToItself() {
        var random = SplitMix64(seed: 0x6d61_726b)
        // Mostly the characters that matter, with some of everything else.
        let alphabet: [Unicode.Scalar] = ["&", "<", ">", "\"", "'", "a", " ", "\t", "\n", "é", "中", "😀", "\u{1}", "\u{1F}", "\u{FFFE}", ";", "#"]
        for _ in 0..<300 {
            let length = Int(random.next() % 40)
            var text = String.UnicodeScalarView()
            for _ in 0..<length { text.append(alphabet[Int(random.next() % UInt64(alphabet.count))]) }
            let original = String(text)
            let kept = String(String.UnicodeScalarView(original.unicodeScalars.filter { $0.value >= 0x20 || "\t\n\r".unicodeScalars.contains($0) }.filter { $0 != "\u{FFFE}" }))
            let escaped = Markup.escape(original)
            guard let parsed = Self.parse("<r v=\"\(escaped)\">\(escaped)</r>") else {
                Issue.record("not well-formed after escaping: \(original.debugDescription) → \(escaped.debugDescription)")
                continue
            }
            #expect(parsed.text == kept, "\(original.debugDescription)")
            // Attribute values have their whitespace normalised by every XML parser.
            let normalised = kept.replacingOccurrences(of: "\t", with: " ").replacingOccurrences(of: "\n", with: " ")
            #expect(parsed.attribute == normalised, "\(original.debugDescription)")
        }
    }

    @Test func theFiveSpecialCharactersBecomeEntities() {
        #expect(Markup.escape(#"<a href="x">'&'</a>"#) == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(Markup.escape("bell\u{7}") == "bell")
    }
}

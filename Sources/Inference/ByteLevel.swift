/// GPT-2's reversible byte ↔ printable-character map used by ByteLevel.
enum ByteLevel {
    static let byteToScalar: [Unicode.Scalar] = {
        var printable = Set<Int>()
        for r in [33...126, 161...172, 174...255] { for b in r { printable.insert(b) } }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var n = 0
        for b in 0..<256 {
            if printable.contains(b) {
                table[b] = Unicode.Scalar(UInt32(b)) ?? " "
            } else {
                table[b] = Unicode.Scalar(UInt32(256 + n)) ?? " "
                n += 1
            }
        }
        return table
    }()

    static let scalarToByte: [Unicode.Scalar: UInt8] = {
        var d: [Unicode.Scalar: UInt8] = [:]
        for (b, s) in byteToScalar.enumerated() { d[s] = UInt8(b) }
        return d
    }()
}

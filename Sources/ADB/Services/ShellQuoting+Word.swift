extension ShellQuoting {
    /// Characters that are never special to `sh` in a word.
    static let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-".unicodeScalars)

    /// One shell word, quoted as `quote` does only when it needs it: commands that people read
    /// in logs and episodes stay readable (`am start -a android.intent.action.VIEW -d 'a b'`).
    public static func word(_ argument: String) -> String {
        if !argument.isEmpty, argument.unicodeScalars.allSatisfy(plain.contains) { return argument }
        return quote(argument)
    }
}

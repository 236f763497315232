import Foundation

/// A warning or a note for the person at the terminal, on stderr.
func warn(_ line: String) {
    FileHandle.standardError.write(Data(("tether: " + line + "\n").utf8))
}

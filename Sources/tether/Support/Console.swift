import Foundation

// The one way the CLI writes: `say` and `writeStdout` to stdout, `warn` to stderr.

/// A line on stdout.
func say(_ line: String) {
    writeStdout(line + "\n")
}

/// Writes to stdout; a reader that went away (`| head`) ends the command quietly.
func writeStdout(_ text: String) {
    writeStdout(Data(text.utf8))
}

func writeStdout(_ data: Data) {
    do { try FileHandle.standardOutput.write(contentsOf: data) } catch { exit(0) }
}

/// A warning or a note for the person at the terminal, on stderr.
func warn(_ line: String) {
    FileHandle.standardError.write(Data(("tether: " + line + "\n").utf8))
}

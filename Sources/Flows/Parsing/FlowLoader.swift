import Foundation
import Yams

/// Reads flow files: the YAML, the header, every command and every `runFlow` file they name,
/// so that all mistakes are found before a phone is touched.
public enum FlowLoader {
    /// Loads one flow file. `path` is shown in messages as given.
    public static func load(path: String) throws(FlowError) -> Flow {
        try load(path: path, loading: [])
    }

    /// Parses flow text as if read from `file` (relative `runFlow` files are found beside it).
    public static func parse(yaml: String, file: String) throws(FlowError) -> Flow {
        try parse(yaml: yaml, file: file, loading: [absolute(file)])
    }

    /// The flow files under `paths`: files as given, folders' `*.yaml`/`*.yml` (not recursing,
    /// as Maestro does; `config.yaml` skipped), sorted by name.
    public static func files(in paths: [String]) throws(FlowError) -> [String] {
        var out: [String] = []
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw FlowError("\(path): no such file or folder", at: nil)
            }
            guard isDirectory.boolValue else {
                out.append(path)
                continue
            }
            let names: [String]
            do { names = try fm.contentsOfDirectory(atPath: path) } catch {
                throw FlowError("cannot list \(path): \(error.localizedDescription)", at: nil)
            }
            for name in names.sorted() where (name.hasSuffix(".yaml") || name.hasSuffix(".yml")) && name != "config.yaml" {
                out.append((path as NSString).appendingPathComponent(name))
            }
        }
        return out
    }

    static func absolute(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func load(path: String, loading: [String]) throws(FlowError) -> Flow {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw FlowError("cannot read \(path): \(error.localizedDescription)", at: nil)
        }
        return try parse(yaml: text, file: path, loading: loading + [absolute(path)])
    }

    static func parse(yaml: String, file: String, loading: [String]) throws(FlowError) -> Flow {
        var documents: [Node] = []
        do {
            var sequence = try compose_all(yaml: yaml)
            while let node = sequence.next() { documents.append(node) }
            if let error = sequence.error { throw error }
        } catch let error as YamlError {
            let at = error.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
            throw FlowError("not valid YAML: \(error.problem)", at: at ?? SourceLocation(file: file, line: 1, column: 1))
        } catch {
            throw FlowError("not valid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
        let parser = StepParser(file: file, loading: loading)
        var header = FlowHeader()
        let commands: Node?
        switch documents.count {
        case 0: commands = nil
        case 1:
            if documents[0].mapping != nil {
                header = try parser.header(documents[0])
                commands = nil
            } else {
                commands = documents[0]
            }
        case 2:
            header = try parser.header(documents[0])
            commands = documents[1]
        default:
            throw FlowError(
                "a flow has a header, `---`, then its commands: this file has \(documents.count) YAML documents",
                at: documents[2].location(in: file))
        }
        var steps: [Step] = []
        if let commands { steps = try parser.steps(commands, what: "the flow's commands") }
        return Flow(file: file, header: header, steps: steps)
    }
}

import ArgumentParser

/// `tether bench`: the benchmarks the scripts in Scripts/ run, each measuring Tether and a peer
/// in the same run (docs/benchmarks.md).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks against a peer (see docs/benchmarks.md).",
        subcommands: [Step.self, Prefix.self, BenchTasks.self])
}

import Agent
import ArgumentParser
import Flows
import Inference
import Trajectory

// Options with fixed values are enums: the parser checks them, and `--help` lists the values.

extension PromptLanguage: ExpressibleByArgument {}

extension SensitivePolicy: ExpressibleByArgument {}
extension GuardedReplay.OnDivergence: ExpressibleByArgument {}
extension ComputeOptions.Precision: ExpressibleByArgument {}
extension ComputeOptions.Quantization: ExpressibleByArgument {}

extension PromptDay: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}

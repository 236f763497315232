import Foundation

/// The seed of randomised tests: fixed, so a failure repeats; `TETHER_TEST_SEED=N` tries another
/// sequence.
public let testSeed: UInt64 = ProcessInfo.processInfo.environment["TETHER_TEST_SEED"].flatMap { UInt64($0) } ?? 0x7e7e_0011

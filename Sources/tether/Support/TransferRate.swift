import Foundation

/// A copy's speed as adb reports it: "12.3 MB/s (N bytes in T s)".
func bytesPerSecond(_ bytes: UInt64, _ seconds: Double) -> String {
    let rate = seconds > 0 ? Double(bytes) / seconds / 1_048_576 : 0
    return String(format: "%.1f MB/s (%llu bytes in %.3fs)", rate, bytes, seconds)
}

import Foundation
import Basics
#if canImport(Glibc)
import Glibc
#endif

/// Waits for SIGINT or SIGTERM.
func waitForTermination() async {
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        let queue = DispatchQueue(label: "tether.vphone.signals")
        let once = Locked(false)
        for sig in [SIGINT, SIGTERM] {
            let source = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            source.setEventHandler { if !once.exchange(true) { continuation.resume() } }
            source.resume()
            retainedSignalSources.append(source)
        }
    }
}

nonisolated(unsafe) var retainedSignalSources: [any DispatchSourceSignal] = []

import Foundation
import Basics
#if canImport(Glibc)
import Glibc
#endif

/// Cancels `task` on the first SIGINT (the run ends as cancelled and its episode is closed);
/// a second SIGINT ends the process.
func cancelOnInterrupt<T: Sendable>(_ task: Task<T, Never>) -> any DispatchSourceSignal {
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: DispatchQueue(label: "tether.run.signals"))
    let once = Locked(false)
    source.setEventHandler {
        if !once.exchange(true) {
            warn("stopping after this step (Ctrl-C again to quit at once)")
            task.cancel()
        } else {
            exit(130)
        }
    }
    source.resume()
    return source
}

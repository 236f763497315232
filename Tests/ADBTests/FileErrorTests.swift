import Foundation
import Testing
@testable import ADB

/// File errors reach users as words: the path's reason, never `NSCocoaErrorDomain error 256`.
@Suite struct FileErrorTests {
    @Test func foundationErrorsBecomeReasons() throws {
        let missing = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/file")
        do {
            _ = try Data(contentsOf: missing)
            Issue.record("reading a missing file must fail")
        } catch {
            #expect(FileError.reason(error) == "no such file or directory", "\(error)")
        }
        // Reading a directory as a file: the error that used to show as "error 256".
        do {
            let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: "/"))
            _ = try handle.read(upToCount: 10)
            Issue.record("reading a directory must fail")
        } catch {
            let reason = FileError.reason(error)
            #expect(!reason.contains("Domain") && !reason.contains("256"), "\(reason)")
            #expect(reason == "is a directory" || reason == "it could not be read", "\(reason)")
        }
        #expect(FileError.reason(POSIXError(.EACCES)) == "permission denied")
        #expect(FileError.reason(NSError(domain: NSCocoaErrorDomain, code: NSFileWriteOutOfSpaceError)) == "no space left on device")
    }
}

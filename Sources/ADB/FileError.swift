import Foundation

/// Why a local file operation failed, in words a user can act on: the system's reason when
/// Foundation carries one, never Foundation's domain and number (`NSCocoaErrorDomain error 256`).
public enum FileError {
    public static func reason(_ error: any Error) -> String {
        if let adb = error as? ADBError { return adb.message }
        if let posix = error as? POSIXError { return systemReason(posix.code.rawValue) }
        let ns = error as NSError
        if ns.domain == NSPOSIXErrorDomain { return systemReason(Int32(ns.code)) }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return systemReason(Int32(underlying.code))
        }
        guard ns.domain == NSCocoaErrorDomain else { return "\(error)" }
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return systemReason(ENOENT)
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return systemReason(EACCES)
        case NSFileWriteOutOfSpaceError: return systemReason(ENOSPC)
        case NSFileWriteVolumeReadOnlyError: return systemReason(EROFS)
        case NSFileWriteFileExistsError: return systemReason(EEXIST)
        case NSFileReadCorruptFileError, NSFileReadInapplicableStringEncodingError: return "its contents could not be read as expected"
        case NSFileReadTooLargeError: return "it is too large to read"
        default: return ns.code < NSFileWriteUnknownError ? "it could not be read" : "it could not be written"
        }
    }

    /// `strerror`'s words, lower-cased at the start as they sit mid-sentence.
    static func systemReason(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        return text.prefix(1).lowercased() + text.dropFirst()
    }
}

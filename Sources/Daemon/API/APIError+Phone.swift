import AndroidPhone

extension APIError {
    /// What a phone's failure means to a client: the phone's state is in the way (409: wake it,
    /// unlock it, focus a field), the phone is gone or slow (503, 504), or it failed on its own
    /// side (502). Never a 500: nothing here is the daemon's fault.
    init(phone error: PhoneError) {
        switch error {
        case .screenOff, .locked, .secureScreen, .noFocusedTextField, .textNeedsADBKeyboard, .textNotDelivered:
            self.init(.conflict, error.description)
        case .appNotFound:
            self.init(.notFound, error.description)
        case .invalidArgument:
            self.init(.badRequest, error.description)
        case .disconnected:
            self.init(.serviceUnavailable, "\(error.description); the daemon keeps reconnecting")
        case .timeout:
            self.init(.gatewayTimeout, error.description)
        case .commandFailed, .unexpectedOutput, .badScreenshot, .uiDumpFailed, .apkUnreadable:
            self.init(.badGateway, "the phone failed: \(error.description)")
        }
    }
}

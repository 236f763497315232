import ArgumentParser

/// Screen pixels start at 0: a negative coordinate is not on the screen.
func validateScreenPoint(_ x: Int, _ y: Int) throws {
    guard x >= 0, y >= 0 else {
        throw ValidationError("(\(x), \(y)) is not on the screen: coordinates are pixels from the top-left corner, 0 or more")
    }
}

import ADB

/// The project's one shell quoting (`ADB.ShellQuoting`), named here too for the layers above
/// `AndroidPhone` that build phone commands without knowing the transport.
public typealias ShellQuoting = ADB.ShellQuoting

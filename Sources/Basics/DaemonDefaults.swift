/// What `tetherd` and its clients agree on without talking: Tether's port.
public enum DaemonDefaults {
    /// The port `tetherd` listens on unless told otherwise (on 127.0.0.1).
    public static let port = 7464
}

import Agent
import Foundation
import VirtualPhone

/// The Devices folder a command reads its tasks and the agent's shortcuts from: `--devices DIR`,
/// else found from the current directory or $TETHER_DEVICES.
enum DevicesFolder {
    /// The catalog; nil (with a warning) when none is found and none was required.
    static func catalog(_ devices: String?, required: Bool) throws -> DeviceCatalog? {
        do {
            return try DeviceCatalog.load(from: devices.map { URL(fileURLWithPath: $0) } ?? DeviceCatalog.locate())
        } catch {
            if devices != nil || required { throw CommandFailure(description: "cannot load the Devices directory: \(error)") }
            warn("no Devices directory found (\(error)); running without shortcuts")
            return nil
        }
    }

    /// The shortcuts in the catalog's `shortcuts/` folder; none without one.
    static func shortcuts(of catalog: DeviceCatalog?) throws -> ShortcutLibrary {
        guard let catalog else { return .empty }
        let dir = catalog.directory.appendingPathComponent("shortcuts")
        guard FileManager.default.fileExists(atPath: dir.path) else { return .empty }
        do { return try ShortcutLibrary.load(directory: dir.path) } catch {
            throw CommandFailure(description: "cannot load the shortcuts in \(dir.path): \(error)")
        }
    }
}

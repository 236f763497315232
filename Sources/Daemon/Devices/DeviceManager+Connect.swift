import ADB
import AndroidPhone
import Foundation
import ServiceLifecycle

extension DeviceManager {
    /// Connects the phone unless it is connected or being connected; on failure it stays
    /// offline and the next attempt waits longer (1 s doubling to 30 s).
    func connect(_ serial: String) async {
        guard var e = entries[serial], e.phone == nil, !e.connecting else { return }
        e.connecting = true
        entries[serial] = e
        do {
            let selection: DeviceSelection
            switch e.route {
            case .tcp: selection = .tcp(address: e.address)
            case .usb: selection = .automatic(serial: serial)
            case .server(let server): selection = .server(server, serial: serial)
            }
            let target = try await connector.open(selection)
            let phone = Phone(target: target)
            let model = try? await phone.shell("getprop ro.product.model", timeout: .seconds(5)).stdoutText
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard var now = entries[serial] else {
                await Self.close(phone: phone, target: target)
                return
            }
            now.phone = phone
            now.target = target
            now.state = .online
            now.model = model.flatMap { $0.isEmpty ? nil : $0 }
            now.message = nil
            now.failures = 0
            now.connecting = false
            entries[serial] = now
            logger.info("device online", metadata: ["serial": "\(serial)", "model": "\(now.model ?? "?")"])
            try? await store.updateDevice(serial: serial, state: .online, model: now.model)
        } catch {
            guard var now = entries[serial] else { return }
            let text = "\(error)"
            now.connecting = false
            now.failures += 1
            now.state = text.localizedCaseInsensitiveContains("auth") ? .unauthorized : .offline
            now.message = "cannot connect to \(now.address): \(text)"
            now.nextAttempt = .now + .seconds(min(30, 1 << min(now.failures - 1, 5)))
            entries[serial] = now
            logger.info("device not reachable", metadata: ["serial": "\(serial)", "error": "\(text)"])
        }
    }

    /// Loads the remembered phones and those of the config file, then keeps them connected
    /// until the daemon stops.
    public func run() async throws {
        for row in (try? await store.savedDevices(host: host)) ?? [] where entries[row.serial] == nil {
            entries[row.serial] = Entry(address: row.address)
        }
        for address in initialAddresses {
            do { try await add(address: address, addedBy: "config") } catch {
                logger.error("ignoring a device of the config file", metadata: ["address": "\(address)", "error": "\(error)"])
            }
        }
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                if let discovery = self.discovery { group.addTask { await self.discover(discovery) } }
                group.addTask {
                    while !Task.isCancelled {
                        await self.maintain()
                        try? await Task.sleep(for: .milliseconds(500))
                    }
                }
            }
        }
        for serial in entries.keys {
            let e = entries[serial]
            entries[serial]?.phone = nil
            entries[serial]?.target = nil
            await Self.close(phone: e?.phone, target: e?.target)
        }
    }

    /// One round: reconnects phones whose backoff has passed, and asks idle phones every 5 s
    /// whether they are still there (a phone a job holds is checked by the job).
    func maintain() async {
        let now = ContinuousClock.now
        let due = entries.filter { $0.value.phone == nil && $0.value.present && !$0.value.connecting && $0.value.nextAttempt <= now }
            .map(\.key)
        let idle = entries.filter { $0.value.phone != nil && $0.value.lease == nil && now - $0.value.checkedAt >= .seconds(5) }.map(\.key)
        for serial in idle { entries[serial]?.checkedAt = now }
        // Side by side: a phone that does not answer does not hold up the others.
        await withDiscardingTaskGroup { group in
            for serial in due { group.addTask { await self.connect(serial) } }
            for serial in idle { group.addTask { _ = await self.checkAlive(serial) } }
        }
    }
}

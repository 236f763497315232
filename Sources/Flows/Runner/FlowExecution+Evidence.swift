import AndroidPhone
import Foundation
import Imaging
import Trajectory

/// What a flow leaves behind: an episode line per step, small pictures for the HTML report,
/// and at a failure the screenshot, the UI tree and the texts on the screen.
extension FlowExecution {
    func openEpisode() {
        guard let root = options.episodesDirectory else { return }
        let directory = root.appendingPathComponent(slug)
        let info = EpisodeInfo(
            task: "flow \(flow.name) (\(flow.file))", startedAt: Date(), language: options.language,
            backend: options.backend?.description ?? "flow steps (no model)", sampling: .autoGLM,
            device: EpisodeInfo.Device(serial: device.serial, model: device.model), systemPrompt: "")
        do {
            try? FileManager.default.removeItem(at: directory)
            episode = try EpisodeWriter(directory: directory, info: info)
            episodePath = directory.path
        } catch {
            logger.warning("cannot write the flow's episode", metadata: ["error": "\(error)"])
        }
    }

    /// Appends the step to the episode and keeps a thumbnail, when either is wanted.
    func record(_ step: Step, index: Int, startedAt: Date, ok: Bool, message: String) async {
        guard episode != nil || options.thumbnails else { return }
        // Control steps (runFlow, repeat, retry) are recorded through the steps inside them.
        switch step.command {
        case .runFlow, .repeatSteps, .retry, .evalScript: return
        default: break
        }
        let image = try? await phone.screenshot(rejectBlack: false)
        if options.thumbnails, let image { reports[index].thumbnail = Self.jpegBase64(image, width: 180) }
        guard let episode else { return }
        episodeSteps += 1
        var record = StepRecord(
            step: episodeSteps, startedAt: startedAt, currentApp: (try? await phone.foregroundApp())?.package ?? "",
            modelText: "", action: lastAction, result: .init(ok: ok, message: message))
        record.thinking = "\(step.location): \(reports[index].text)"
        do { try await episode.record(record, screen: image) } catch {
            logger.warning("cannot record the step", metadata: ["error": "\(error)"])
        }
    }

    /// The flow's failure with its evidence saved in the output folder.
    func describeFailure() async -> FlowFailure {
        let (step, failure) = failed ?? (nil, StepFailure("the flow failed"))
        var result = FlowFailure(
            message: failure.message, command: step.map { $0.label ?? describe($0) }, location: step?.location,
            screen: failure.screen ?? [], screenshot: nil, uiTree: nil, image: nil, phoneLost: failure.phoneLost)
        guard !failure.phoneLost else { return result }
        let folder = options.outputDirectory.appendingPathComponent(slug)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        if let image = try? await phone.screenshot(rejectBlack: false) {
            let path = folder.appendingPathComponent("failure.png")
            if let png = try? image.pngData(), (try? Data(png).write(to: path)) != nil { result.screenshot = path.path }
            result.image = Self.jpegBase64(image, width: 360)
        }
        if let xml = try? await phone.uiHierarchyXML() {
            let path = folder.appendingPathComponent("failure.xml")
            if (try? Data(xml.utf8).write(to: path)) != nil { result.uiTree = path.path }
            if result.screen.isEmpty, let tree = try? UIHierarchy(xml: xml), let size = try? await phone.display() {
                result.screen = ScreenReader.summary(of: tree, width: size.width, height: size.height)
            }
        }
        return result
    }

    static func jpegBase64(_ image: Image, width: Int) -> String? {
        guard image.width > 0, image.height > 0 else { return nil }
        let height = max(1, image.height * width / image.width)
        guard let small = try? image.resized(width: width, height: height, filter: .bilinear), let jpeg = try? small.jpegData(quality: 70) else {
            return nil
        }
        return Data(jpeg).base64EncodedString()
    }

    /// A failure that names the selector and what the screen showed instead.
    func notFound(_ selector: Selector, within timeout: Duration, _ snapshot: ScreenReader.Snapshot) -> StepFailure {
        let texts = ScreenReader.summary(of: snapshot.tree, width: snapshot.image.width, height: snapshot.image.height)
        let shown = texts.isEmpty ? "no text" : texts.prefix(12).map { "\"\($0)\"" }.joined(separator: ", ")
        return StepFailure("no element matched \(selector) within \(timeout); the screen shows \(shown)", screen: texts)
    }
}

import Agent
import Foundation
import Hummingbird
import MCP
import PhoneMCP
import Trajectory

/// `/mcp`: the MCP server (PhoneMCP's tools) as streamable HTTP, behind the bearer token, on the
/// daemon's phones. Stateless: each POST is answered with one JSON reply by a server made for it,
/// so no session lives here; the element ids inspect_screen hands out are kept across requests.
/// Tools respect leases: a phone a job holds is a tool error. run_task queues a job.
extension DaemonAPI {
    func addMCPRoute(to router: Router<DaemonRequestContext>) {
        let tools = PhoneTools(
            source: DaemonPhones(devices: devices),
            tasks: DaemonTasks(store: store, devices: devices), shortcuts: shortcuts)
        let version = self.version
        router.post("/mcp") { request, _ in try await Self.serveMCP(request, tools: tools, version: version) }
        router.get("/mcp") { request, _ in try await Self.serveMCP(request, tools: tools, version: version) }
        router.delete("/mcp") { request, _ in try await Self.serveMCP(request, tools: tools, version: version) }
    }

    /// The SDK's checks of a request, less the origin check: the bearer token already keeps
    /// other origins out (a page elsewhere cannot send it).
    static let mcpValidation = StandardValidationPipeline(validators: [
        AcceptHeaderValidator(mode: .jsonOnly), ContentTypeValidator(), ProtocolVersionValidator()
    ])

    static func serveMCP(_ request: Request, tools: PhoneTools, version: String) async throws -> Response {
        let body = try await request.body.collect(upTo: RequestJSON.maxBody)
        if request.method == .post, let problem = MCPEnvelope.problem(in: body) { return MCPEnvelope.refusal(problem) }
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.canonicalName] = field.value }
        let mcpRequest = MCP.HTTPRequest(
            method: request.method.rawValue, headers: headers,
            body: body.readableBytes > 0 ? Data(body.readableBytesView) : nil, path: request.uri.path)
        let transport = StatelessHTTPServerTransport(validationPipeline: mcpValidation)
        let server = await PhoneMCPServer.make(tools: tools, version: version)
        try await server.start(transport: transport)
        let reply = await transport.handleRequest(mcpRequest)
        await server.stop()
        var fields = HTTPFields()
        for (name, value) in reply.headers {
            if let key = HTTPFields.Element.Name(name) { fields[key] = value }
        }
        let bytes = reply.bodyData.map { ByteBuffer(bytes: $0) } ?? ByteBuffer()
        return Response(status: .init(code: reply.statusCode), headers: fields, body: .init(byteBuffer: bytes))
    }
}

/// The daemon's phones for the MCP tools: a phone a job holds, or one that is offline, is
/// refused with the reason.
struct DaemonPhones: PhoneSource {
    let devices: DeviceManager

    func devices() async -> [DeviceListing] {
        await devices.list().map { d in
            let state = d.state.rawValue
            return DeviceListing(serial: d.serial, state: state, model: d.model, message: d.job.map { "job \($0) holds it" } ?? d.message)
        }
    }

    /// The device manager notices a phone gone on its own (and reconnects it).
    func disconnected() async {}

    func phone(_ serial: String?) async throws(ToolError) -> SelectedPhone {
        let chosen: String
        if let serial {
            chosen = serial
        } else {
            let all = await devices.list()
            guard all.count == 1, let only = all.first else {
                throw ToolError(
                    all.isEmpty
                        ? "the daemon has no phones; add one with POST /v1/devices"
                        : "the daemon has \(all.count) phones: pass device, one of \(all.map(\.serial).joined(separator: ", "))")
            }
            chosen = only.serial
        }
        do {
            return SelectedPhone(serial: chosen, phone: try await devices.phoneForCommand(chosen))
        } catch {
            throw ToolError(error.message)
        }
    }
}

/// run_task on the daemon: a `run` job in the queue, with the backend the call names.
struct DaemonTasks: AgentTasks {
    let store: Store
    let devices: DeviceManager

    func start(_ request: TaskRequest) async throws(ToolError) -> TaskState {
        guard let endpoint = request.endpoint else {
            throw ToolError(
                "run_task on the daemon needs a model: pass endpoint (the base URL of an OpenAI-compatible server "
                    + "serving the phone model, e.g. http://127.0.0.1:8000/v1) and model")
        }
        if let serial = request.device, await devices.info(serial) == nil {
            throw ToolError("no device \(serial); list_devices shows the daemon's phones")
        }
        let spec = RunJobSpec(
            task: request.task, device: request.device,
            backend: .init(endpoint: endpoint, model: request.model ?? "autoglm-phone-9b"),
            lang: request.language.flatMap(PromptLanguage.init(rawValue:)), maxSteps: request.maxSteps,
            onSensitive: request.onSensitive.flatMap(SensitivePolicy.init(rawValue:)))
        do {
            try spec.validate()
            let job = try await store.enqueue(kind: "run", spec: try spec.json(), device: request.device)
            return try await state(of: job)
        } catch let error as APIError {
            throw ToolError(error.message)
        } catch {
            throw ToolError("the daemon could not queue the task: \(error)")
        }
    }

    func status(_ id: String) async throws(ToolError) -> TaskState {
        do {
            guard let job = try await store.job(id) else { throw ToolError("no task \(id); run_task starts one") }
            return try await state(of: job)
        } catch let error as ToolError {
            throw error
        } catch {
            throw ToolError("the daemon's store failed: \(error); try again")
        }
    }

    func answer(task id: String, question: String, with answer: String) async throws(ToolError) -> TaskState {
        let current = try await status(id)
        guard current.questions.contains(where: { $0.id == question }) else {
            throw ToolError("task \(id) has no open question \(question); task_status lists its questions")
        }
        do { _ = try await store.answer(question, with: answer) } catch { throw ToolError("cannot answer: \(error.message)") }
        return try await status(id)
    }

    func state(of job: JobRecord) async throws -> TaskState {
        let open = try await store.questions(of: job.id).filter { $0.status == .pending }
        return TaskState(
            id: job.id, status: job.status.rawValue, device: job.device ?? job.requestedDevice, steps: job.steps,
            message: job.message, questions: open.map { .init(id: $0.id, kind: $0.kind, prompt: $0.prompt) })
    }
}

extension WebScript {
    /// Starting a job, the job list, and one job: its steps as they come over the events
    /// WebSocket, its pending questions as buttons, cancel.
    static let jobs = #"""
        const demoReplies = [
          "<think>I go to the home screen first.</think>\n<answer>do(action=\"Home\")</answer>",
          "<think>Done.</think>\n<answer>finish(message=\"All done.\")</answer>",
        ];

        // Wraps a refresh that reads and then returns what to draw: of overlapping calls, only
        // the last one started draws.
        function newestWins(read) {
          let latest = 0;
          return async () => {
            const mine = ++latest;
            const draw = await read();
            if (mine === latest) draw();
          };
        }

        async function showNewJob(root) {
          const devices = await api("GET", "/v1/devices").catch(() => []);
          const task = el("textarea", { name: "task", id: "task", required: true, placeholder: "What should the phone do?" });
          const device = el("select", { name: "device", id: "device" }, el("option", { value: "", text: "any free phone" }),
            devices.map((d) => el("option", { value: d.serial, text: `${d.serial} (${d.state})` })));
          const kind = (value, label, checked) => el("label", { class: "inline" },
            el("input", { type: "radio", name: "backend", value, checked, onchange: toggle }), label);
          const endpoint = el("input", { name: "endpoint", id: "endpoint", type: "url", placeholder: "http://127.0.0.1:8000/v1" });
          const model = el("input", { name: "model", id: "model", value: "autoglm-phone-9b" });
          const key = el("input", { name: "api_key", id: "api-key", type: "password", autocomplete: "off" });
          const scripted = el("textarea", { name: "scripted", id: "scripted", rows: 8 });
          scripted.value = JSON.stringify(demoReplies, null, 2);
          const endpointFields = el("fieldset", {}, el("legend", { text: "Model server (OpenAI-compatible)" }),
            el("label", {}, "Endpoint", endpoint), el("label", {}, "Model", model), el("label", {}, "API key", key));
          const scriptedFields = el("fieldset", { hidden: true }, el("legend", { text: "Scripted replies (a JSON array of model replies, for demos)" }), scripted);
          function toggle() {
            const chosen = new FormData(form).get("backend");
            endpointFields.hidden = chosen !== "endpoint";
            scriptedFields.hidden = chosen !== "scripted";
          }
          const lang = el("select", { name: "lang", id: "lang" }, el("option", { value: "en", text: "English" }), el("option", { value: "zh", text: "Chinese" }));
          const steps = el("input", { name: "max_steps", id: "max-steps", type: "number", min: 1, max: 500, value: 20 });
          const policy = el("select", { name: "on_sensitive", id: "on-sensitive" },
            el("option", { value: "ask", text: "ask me (a question on the job page)" }),
            el("option", { value: "deny", text: "deny (never tap)" }),
            el("option", { value: "allow", text: "allow (tap without asking)" }));
          const note = el("p", { class: "error", id: "job-error" });
          const form = el("form", {
            class: "stack card", id: "new-job",
            onsubmit: async (event) => {
              event.preventDefault();
              note.textContent = "";
              const spec = { task: task.value, lang: lang.value, max_steps: Number(steps.value), on_sensitive: policy.value };
              if (device.value) spec.device = device.value;
              if (new FormData(form).get("backend") === "scripted") {
                let replies;
                try { replies = JSON.parse(scripted.value); } catch (error) { note.textContent = `The scripted replies are not JSON: ${error.message}`; return; }
                if (!Array.isArray(replies) || !replies.every((r) => typeof r === "string")) { note.textContent = "The scripted replies must be a JSON array of strings."; return; }
                spec.backend = { scripted: replies };
              } else {
                spec.backend = { endpoint: endpoint.value, model: model.value };
                if (key.value) spec.backend.api_key = key.value;
              }
              try {
                const job = await api("POST", "/v1/jobs", spec);
                location.hash = `#/job/${job.id}`;
              } catch (error) { note.textContent = error.message; }
            },
          },
          el("label", {}, "Task", task), el("label", {}, "Phone", device),
          el("div", { class: "row" }, el("strong", { text: "Backend:" }), kind("endpoint", "model server", true), kind("scripted", "scripted replies", false)),
          endpointFields, scriptedFields,
          el("div", { class: "row" }, el("label", {}, "Language", lang), el("label", {}, "Max steps", steps), el("label", {}, "Sensitive taps", policy)),
          el("div", { class: "row" }, el("button", { type: "submit", id: "submit-job", text: "Start job" })), note);
          root.append(el("h1", { text: "New job" }), form);
        }

        async function showJobs(root) {
          const body = el("tbody");
          root.append(el("div", { class: "row" }, el("h1", { text: "Jobs" }), el("a", { href: "#/new", text: "New job" })),
            el("div", { class: "table-wrap" }, el("table", {},
              el("thead", {}, el("tr", {}, ["Job", "Status", "Phone", "Steps", "Created", "Message"].map((h) => el("th", { text: h })))), body)));
          async function refresh() {
            const jobs = (await api("GET", "/v1/jobs")).reverse();
            body.replaceChildren(...jobs.map((job) => el("tr", { "data-job": job.id },
              el("td", {}, el("a", { href: `#/job/${job.id}`, class: "mono", text: shortID(job.id) })),
              el("td", {}, badge(job.status)), el("td", { text: job.device || job.requested_device || "any" }),
              el("td", { text: job.steps }), el("td", { text: when(job.created_at) }), el("td", { text: job.message }))));
            if (jobs.length === 0) body.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "muted", text: "No jobs yet." })));
          }
          await refresh();
          every(3000, () => refresh().catch(() => {}));
        }

        async function showJob(root, id) {
          const head = el("div", { class: "job-head" });
          const message = el("p", { class: "muted", id: "job-message" });
          const questions = el("div", { id: "questions", class: "steps" });
          const list = el("div", { class: "steps", id: "steps" });
          const cancel = el("button", {
            class: "danger", id: "cancel", type: "button", text: "Cancel job",
            onclick: async () => {
              cancel.disabled = true;
              try { await api("POST", `/v1/jobs/${id}/cancel`); } catch (error) { message.textContent = error.message; }
            },
          });
          root.append(el("h1", { text: `Job ${shortID(id)}` }), head, message, questions, el("h2", { text: "Steps" }), list);
          const shown = new Map();

          // Refreshes may overlap; only the newest one's answer is shown, so an answer that
          // was read before a change never replaces one read after it.
          const refreshJob = newestWins(async () => {
            const job = await api("GET", `/v1/jobs/${id}`);
            return () => {
              const final = finalStatuses.has(job.status);
              head.replaceChildren(...[badge(job.status, "job-status"),
                el("span", { text: job.spec ? job.spec.task : "" }),
                el("span", { class: "muted", text: `phone ${job.device || job.requested_device || "any"} · ${job.steps} steps` }),
                job.episode ? el("a", { href: `#/episode/${id}`, text: "episode" }) : null,
                final ? null : cancel].filter(Boolean));
              message.textContent = job.message || "";
            };
          });
          const refreshQuestions = newestWins(async () => {
            const pending = (await api("GET", `/v1/jobs/${id}/questions`)).filter((q) => q.status === "pending");
            return () => questions.replaceChildren(...pending.map((q) => questionCard(id, q, refreshQuestions)));
          });
          let retries = 20;
          async function refreshSteps() {
            let episode = null;
            try { episode = await api("GET", `/v1/episodes/${id}`); } catch (error) { /* not written yet */ }
            for (const step of episode ? episode.steps : []) {
              const known = shown.get(step.step);
              if (known && !known.partial) continue;
              const node = stepView(id, step);
              if (known) known.node.replaceWith(node); else list.append(node);
              shown.set(step.step, { node, partial: false });
            }
            // A step announced by its event but not yet read from the episode: read again soon.
            if ([...shown.values()].some((s) => s.partial) && retries-- > 0) setTimeout(() => soon("steps", refreshSteps), 500);
          }
          // A step event shows the step at once; the episode's record (screenshot, reasoning,
          // tokens) replaces it as soon as it is read.
          function stepFromEvent(p) {
            if (shown.has(p.step)) return;
            const node = stepView(null, { step: p.step, current_app: p.app, action: p.action, parse_error: p.parse_error, result: p.outcome, timings: p.timings });
            list.append(node);
            shown.set(p.step, { node, partial: true });
          }
          const timers = {};
          const soon = (name, fn) => {
            clearTimeout(timers[name]);
            timers[name] = setTimeout(() => fn().catch(() => {}), 150);
          };
          onLeave(() => Object.values(timers).forEach(clearTimeout));

          await Promise.all([refreshJob(), refreshQuestions(), refreshSteps()]);
          const socket = new WebSocket(socketURL(`/v1/jobs/${id}/events`));
          socket.onmessage = (message) => {
            const event = JSON.parse(message.data);
            if (event.kind === "step") {
              stepFromEvent(event.payload);
              soon("steps", refreshSteps);
              soon("job", refreshJob);
            } else if (event.kind === "status") {
              soon("job", refreshJob);
              soon("questions", refreshQuestions);
            } else {
              soon("questions", refreshQuestions);
            }
          };
          socket.onclose = () => {
            soon("job", refreshJob);
            soon("steps", refreshSteps);
            soon("questions", refreshQuestions);
          };
          onLeave(() => socket.close());
        }

        // A pending question: a confirmation (confirm / deny), a take-over (done), or a choice
        // (a button per option the prompt lists, or free text).
        function questionCard(job, question, after) {
          const note = el("p", { class: "muted" });
          const buttons = [];
          const answer = async (text) => {
            buttons.forEach((b) => { b.disabled = true; });
            try {
              await api("POST", `/v1/jobs/${job}/questions/${question.id}`, { answer: text });
              note.textContent = `Answered: ${text}`;
              await after();
            } catch (error) {
              note.className = "error";
              note.textContent = error.message;
              buttons.forEach((b) => { b.disabled = false; });
            }
          };
          const button = (label, text, style) => {
            const b = el("button", { type: "button", class: style, "data-answer": text, text: label, onclick: () => answer(text) });
            buttons.push(b);
            return b;
          };
          let title, actions;
          if (question.kind === "confirm") {
            title = "Confirm this action?";
            actions = [button("Confirm", "yes"), button("Deny", "no", "danger")];
          } else if (question.kind === "take_over") {
            title = "Take over the phone, then say when you are done";
            actions = [button("Done taking over", "done")];
          } else {
            title = "The agent asks you to choose";
            const choices = question.prompt.split("\n").map((line) => line.match(/^\s*(?:\d+[.)]|[-*•])\s+(.+)$/)).filter(Boolean).map((m) => m[1].trim());
            const free = el("input", { "aria-label": "Answer", placeholder: "Answer" });
            const send = el("button", { type: "button", text: "Send", onclick: () => { if (free.value) answer(free.value); } });
            buttons.push(send);
            actions = [...choices.map((c) => button(c, c, "ghost")), free, send];
          }
          return el("article", { class: "card question", "data-question": question.id, "data-kind": question.kind },
            el("h3", { text: title }), el("pre", { text: question.prompt }), el("div", { class: "row" }, actions), note);
        }
        """#
}

extension WebScript {
    /// A step as the job page and the episode page show it (the screenshot with the action
    /// drawn on it, reasoning, action, timings, tokens), and the episodes.
    static let steps = #"""
        let overlays = 0;
        // The action drawn over the screenshot: a ring where it tapped, an arrow where it swiped.
        // Grid coordinates (0…999) are mapped onto the screenshot's pixels.
        function actionOverlay(action, w, h) {
          if (!action) return null;
          const point = (name) => {
            const m = action.match(new RegExp(`${name}=\\[(-?\\d+),\\s*(-?\\d+)\\]`));
            return m ? [Number(m[1]) * w / 1000, Number(m[2]) * h / 1000] : null;
          };
          const kind = (action.match(/action="([^"]+)"/) || [])[1] || "";
          const layer = svg("svg", { viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: "none", "data-action": kind, "aria-hidden": "true" });
          const r = Math.max(w, h) / 45, stroke = Math.max(w, h) / 220;
          if (kind === "Swipe") {
            const a = point("start"), b = point("end");
            if (!a || !b) return null;
            const id = `arrow-${++overlays}`;
            const marker = svg("marker", { id, viewBox: "0 0 10 10", refX: 7, refY: 5, markerWidth: 4, markerHeight: 4, orient: "auto-start-reverse" });
            marker.append(svg("path", { d: "M0,0 L10,5 L0,10 z", fill: "#ff3b30" }));
            const defs = svg("defs");
            defs.append(marker);
            layer.append(defs, svg("circle", { cx: a[0], cy: a[1], r: r / 2, fill: "#ff3b30" }),
              svg("line", { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: "#ff3b30", "stroke-width": stroke, "marker-end": `url(#${id})` }));
            return layer;
          }
          const p = point("element");
          if (!p) return null;
          layer.append(svg("circle", { cx: p[0], cy: p[1], r, fill: "rgba(255,59,48,.3)", stroke: "#ff3b30", "stroke-width": stroke }));
          if (kind === "Double Tap") layer.append(svg("circle", { cx: p[0], cy: p[1], r: r * 1.6, fill: "none", stroke: "#ff3b30", "stroke-width": stroke }));
          if (kind === "Long Press") layer.append(svg("circle", { cx: p[0], cy: p[1], r: r * 1.6, fill: "none", stroke: "#ff3b30", "stroke-width": stroke, "stroke-dasharray": `${stroke * 2} ${stroke * 2}` }));
          return layer;
        }

        function stepView(episode, s) {
          const shot = el("figure", { class: "shot" });
          if (episode && s.screen) {
            shot.append(el("img", { src: `/v1/episodes/${episode}/steps/${s.step}/screenshot`, alt: `The screen at step ${s.step}`, loading: "lazy" }));
            const layer = actionOverlay(s.action, s.screen_width || 1000, s.screen_height || 1000);
            if (layer) shot.append(layer);
          } else {
            shot.append(el("div", { class: "none muted", text: episode ? "no screenshot" : "screenshot coming…" }));
          }
          const t = s.timings || {};
          const facts = [
            ["App", s.current_app],
            ["Action", s.action ? el("code", { text: s.action }) : null],
            ["Parse error", s.parse_error],
            ["Result", s.result ? `${s.result.ok ? "ok" : "failed"}${s.result.message ? ": " + s.result.message : ""}` : null],
            ["Feedback", s.feedback],
            ["Timings", `capture ${seconds(t.capture)} (settle ${seconds(t.settle)}) · model ${seconds(t.model)}${t.first_text ? ` (first text ${seconds(t.first_text)})` : ""} · act ${seconds(t.act)}`],
            ["Tokens", s.tokens ? `in ${s.tokens.prompt ?? "–"} · out ${s.tokens.completion ?? "–"} · reused ${s.tokens.reused ?? "–"}` : null],
          ].filter(([, value]) => value !== null && value !== undefined && value !== "");
          const list = el("dl", { class: "facts" }, facts.map(([name, value]) => [el("dt", { text: name }), el("dd", {}, value)]));
          return el("article", { class: "card step", "data-step": s.step },
            shot,
            el("div", {}, el("h3", { text: `Step ${s.step}` }), list,
              s.thinking ? [el("strong", { text: "Reasoning" }), el("pre", { text: s.thinking })] : null,
              s.model_text ? el("details", {}, el("summary", { text: "What the model wrote" }), el("pre", { text: s.model_text })) : null));
        }

        async function showEpisodes(root) {
          const episodes = await api("GET", "/v1/episodes");
          root.append(el("h1", { text: "Episodes" }));
          if (episodes.length === 0) {
            root.append(el("p", { class: "muted", text: "No episodes yet: every job records one." }));
            return;
          }
          root.append(el("div", { class: "table-wrap" }, el("table", {},
            el("thead", {}, el("tr", {}, ["Task", "Outcome", "Steps", "Started", "Backend"].map((h) => el("th", { text: h })))),
            el("tbody", {}, episodes.map((e) => el("tr", { "data-episode": e.id },
              el("td", {}, el("a", { href: `#/episode/${e.id}`, text: e.task || e.id })),
              el("td", {}, e.error ? el("span", { class: "error", text: e.error }) : badge(e.status)),
              el("td", { text: e.steps ?? "" }), el("td", { text: when(e.started_at) }), el("td", { class: "muted", text: e.backend || "" })))))));
        }

        async function showEpisode(root, id) {
          const episode = await api("GET", `/v1/episodes/${id}`);
          const info = episode.info;
          root.append(el("h1", { text: info.task }),
            el("dl", { class: "facts" },
              el("dt", { text: "Outcome" }), el("dd", {}, badge(info.outcome.status), " ", info.outcome.message),
              el("dt", { text: "Started" }), el("dd", { text: `${when(info.started_at)} · ended ${when(info.ended_at)}` }),
              el("dt", { text: "Backend" }), el("dd", { text: info.backend }),
              el("dt", { text: "Phone" }), el("dd", { text: info.device ? [info.device.serial, info.device.model].filter(Boolean).join(" · ") : "–" }),
              el("dt", { text: "Job" }), el("dd", {}, el("a", { href: `#/job/${id}`, text: shortID(id) }))),
            el("div", { class: "steps" }, episode.steps.map((s) => stepView(id, s))));
        }
        """#
}

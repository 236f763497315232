extension WebScript {
    /// The device grid (every phone's live screen) and one phone: click to tap, drag to swipe,
    /// type, keys.
    static let devices = #"""
        async function showDevices(root) {
          const grid = el("div", { class: "grid", id: "devices" });
          const note = el("p", { class: "muted" });
          const address = el("input", { name: "address", placeholder: "host:port", required: true, "aria-label": "Phone address" });
          const add = el("form", {
            class: "row",
            onsubmit: async (event) => {
              event.preventDefault();
              note.className = "muted";
              try {
                const device = await api("POST", "/v1/devices", { address: address.value.trim() });
                note.textContent = `Added ${device.serial}.`;
                address.value = "";
                await refresh();
              } catch (error) {
                note.className = "error";
                note.textContent = error.message;
              }
            },
          }, address, el("button", { type: "submit", text: "Add phone" }));
          root.append(el("h1", { text: "Devices" }), grid, el("h2", { text: "Add a phone" }), add, note);
          const cards = new Map();
          const empty = el("p", { class: "muted", text: "No phones yet. Add one below, or start tetherd with --device host:port." });
          async function refresh() {
            const devices = await api("GET", "/v1/devices");
            if (devices.length === 0 && cards.size === 0) grid.replaceChildren(empty);
            for (const device of devices) {
              let card = cards.get(device.serial);
              if (!card) {
                empty.remove();
                card = deviceCard(device.serial);
                cards.set(device.serial, card);
                grid.append(card.node);
              }
              card.update(device);
            }
          }
          await refresh();
          every(3000, () => refresh().catch(() => {}));
        }

        function deviceCard(serial) {
          const canvas = el("canvas", { class: "screen", width: 9, height: 16, "data-serial": serial });
          let state = badge("…");
          const info = el("span", { class: "muted" });
          const node = el("article", {
            class: "card device-card", "data-serial": serial,
            onclick: () => { location.hash = `#/device/${encodeURIComponent(serial)}`; },
          }, el("div", { class: "row" }, el("strong", { text: serial }), state), info, canvas);
          let stop = null;
          onLeave(() => { if (stop) stop(); });
          return {
            node,
            update(device) {
              const fresh = badge(device.state);
              state.replaceWith(fresh);
              state = fresh;
              info.textContent = [device.model, device.host ? `on ${device.host}` : null, device.job ? `job ${shortID(device.job)}` : null, device.message].filter(Boolean).join(" · ");
              const viewable = device.state === "online" || device.state === "busy";
              if (viewable && !stop) stop = liveScreen(canvas, serial, 2);
              if (!viewable && stop) { stop(); stop = null; }
            },
          };
        }

        async function showDevice(root, serial) {
          const device = await api("GET", `/v1/devices/${pathPart(serial)}`);
          const canvas = el("canvas", { class: "screen", id: "screen", width: 9, height: 16, "data-serial": serial });
          const size = el("span", { class: "muted", id: "screen-size" });
          const status = el("p", { class: "muted", id: "input-status", text: "Click the screen to tap, drag to swipe." });
          async function send(input, label) {
            status.className = "muted";
            status.textContent = `${label}…`;
            try {
              await api("POST", `/v1/devices/${pathPart(serial)}/input`, input);
              status.textContent = `${label}: done`;
              status.dataset.sent = String(Number(status.dataset.sent || 0) + 1);
            } catch (error) {
              status.className = "error";
              status.textContent = `${label}: ${error.message}`;
            }
          }
          // Page coordinates to the phone's pixels: the canvas holds the frame at its own size
          // (a rotated phone sends a landscape frame), however large it is drawn.
          const toPhone = (event) => {
            const box = canvas.getBoundingClientRect();
            const x = Math.round((event.clientX - box.left) * canvas.width / box.width);
            const y = Math.round((event.clientY - box.top) * canvas.height / box.height);
            return [Math.max(0, Math.min(canvas.width - 1, x)), Math.max(0, Math.min(canvas.height - 1, y))];
          };
          let press = null;
          canvas.addEventListener("pointerdown", (event) => {
            if (!canvas.dataset.frames) return;
            event.preventDefault();
            canvas.setPointerCapture(event.pointerId);
            press = { at: toPhone(event), x: event.clientX, y: event.clientY, t: performance.now() };
          });
          canvas.addEventListener("pointerup", (event) => {
            if (!press) return;
            const start = press;
            press = null;
            const end = toPhone(event);
            if (Math.hypot(event.clientX - start.x, event.clientY - start.y) < 6) {
              send({ tap: start.at }, `tap ${start.at[0]},${start.at[1]}`);
            } else {
              const ms = Math.max(100, Math.min(2000, Math.round(performance.now() - start.t)));
              send({ swipe: [...start.at, ...end], ms }, `swipe ${start.at.join(",")} → ${end.join(",")}`);
            }
          });
          canvas.addEventListener("pointercancel", () => { press = null; });
          const text = el("input", { id: "text", placeholder: "Text to type", "aria-label": "Text to type" });
          const typing = el("form", {
            class: "row",
            onsubmit: (event) => {
              event.preventDefault();
              if (!text.value) return;
              send({ text: text.value }, "type");
              text.value = "";
            },
          }, text, el("button", { type: "submit", text: "Type" }));
          const keys = [["Back", "BACK"], ["Home", "HOME"], ["Recents", "APP_SWITCH"], ["Power", "POWER"],
            ["Volume +", "VOLUME_UP"], ["Volume −", "VOLUME_DOWN"], ["Enter", "ENTER"]];
          const keyRow = el("div", { class: "row" }, keys.map(([label, key]) =>
            el("button", { type: "button", class: "ghost", "data-key": key, text: label, onclick: () => send({ key }, label) })));
          const facts = [device.model, device.job ? `job ${shortID(device.job)}` : null, device.message].filter(Boolean).join(" · ");
          root.append(
            el("h1", { text: serial }),
            el("div", { class: "device-view" }, canvas,
              el("div", { class: "controls" },
                el("div", { class: "row" }, badge(device.state, "device-state"), el("span", { class: "muted", text: facts }), size),
                status, typing, keyRow,
                el("p", {}, el("a", { href: "#/new", text: "Start a job…" }), " · ", el("a", { href: "#/", text: "All devices" })))));
          onLeave(liveScreen(canvas, serial, 5, (w, h) => { size.textContent = `${w}×${h}, ${w > h ? "landscape" : "portrait"}`; }));
        }
        """#
}

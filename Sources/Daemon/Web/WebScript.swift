/// The page's script, compiled into the binary: plain JavaScript, no framework, no build step.
/// Its parts (one per page) are joined in this order; this part holds what every page uses:
/// building elements, calling the API, routing on the URL's `#/…`, and the live screen.
enum WebScript {
    static var source: String { [core, devices, jobs, steps].joined(separator: "\n") }

    static let core = #"""
        "use strict";
        // Everything a page started (sockets, timers) is stopped when the page is left.
        const view = { cleanups: [], root: null };
        function onLeave(fn) { view.cleanups.push(fn); }
        function every(ms, fn) { const id = setInterval(fn, ms); onLeave(() => clearInterval(id)); }

        function el(tag, props, ...kids) {
          const node = document.createElement(tag);
          for (const [key, value] of Object.entries(props || {})) {
            if (value === undefined || value === null || value === false) continue;
            if (key === "class") node.className = value;
            else if (key === "text") node.textContent = value;
            else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
            else node.setAttribute(key, value === true ? "" : String(value));
          }
          for (const kid of kids.flat(2)) {
            if (kid === null || kid === undefined || kid === false) continue;
            node.append(kid instanceof Node ? kid : String(kid));
          }
          return node;
        }
        function svg(tag, attrs) {
          const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
          for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, String(value));
          return node;
        }
        // A serial such as 127.0.0.1:5555 in a path: its colon stays as it is.
        function pathPart(text) { return encodeURIComponent(text).replace(/%3A/gi, ":"); }
        function socketURL(path) { return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + path; }
        function seconds(s) {
          if (s === undefined || s === null) return "–";
          return s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`;
        }
        function when(iso) { return iso ? new Date(iso).toLocaleString() : "–"; }
        function badge(state, id) { return el("span", { class: `state ${state}`, id, "data-state": state, text: state }); }
        function shortID(id) { return String(id).slice(0, 8); }
        const finalStatuses = new Set(["succeeded", "failed", "cancelled", "interrupted"]);

        class APIFailure extends Error {
          constructor(status, message) { super(message); this.status = status; }
        }
        // Calls the API with the session cookie; a 401 means the session ended: sign in again.
        async function api(method, path, body) {
          const init = { method, credentials: "same-origin", headers: {} };
          if (body !== undefined) {
            init.headers["Content-Type"] = "application/json";
            init.body = JSON.stringify(body);
          }
          const response = await fetch(path, init);
          if (response.status === 401) {
            location.assign("/signin");
            throw new APIFailure(401, "signed out");
          }
          const type = response.headers.get("Content-Type") || "";
          const data = type.includes("json") ? await response.json() : await response.text();
          if (!response.ok) throw new APIFailure(response.status, (data && data.error) || `${response.status} ${response.statusText}`);
          return data;
        }

        // The phone's screen on a canvas, from the live WebSocket. Frames are never queued: while
        // one is being decoded, a newer one replaces any that waited, so a slow page shows the
        // newest frame and drops the rest. Returns the function that stops it.
        function liveScreen(canvas, serial, fps, onFrame) {
          let socket = null, latest = null, drawing = false, stopped = false, timer = null;
          const open = () => {
            // ack=1: the daemon sends the next frame only after this page said "ack" for the
            // last one, so no frame ever waits in a buffer on the way.
            socket = new WebSocket(socketURL(`/v1/devices/${pathPart(serial)}/live?fps=${fps}&ack=1`));
            socket.binaryType = "blob";
            socket.onmessage = (message) => {
              latest = message.data;
              if (!drawing) draw();
            };
            socket.onclose = () => {
              if (stopped) return;
              // No frame at all: the phone is another host's (its live view is not passed on);
              // its screenshots are, so the card polls them instead.
              if (!canvas.dataset.frames) { timer = setTimeout(poll, 0); return; }
              timer = setTimeout(open, 2000);
            };
          };
          const poll = async () => {
            try {
              const reply = await fetch(`/v1/devices/${pathPart(serial)}/screenshot?format=jpeg`, { credentials: "same-origin" });
              if (reply.ok) {
                latest = await reply.blob();
                if (!drawing) await draw();
              }
            } catch (error) {
              // The next poll tries again.
            }
            if (!stopped) timer = setTimeout(poll, Math.max(500, 1000 / fps));
          };
          const draw = async () => {
            drawing = true;
            while (latest && !stopped) {
              const blob = latest;
              latest = null;
              try {
                const image = await createImageBitmap(blob);
                if (canvas.width !== image.width || canvas.height !== image.height) {
                  canvas.width = image.width;
                  canvas.height = image.height;
                }
                canvas.getContext("2d").drawImage(image, 0, 0);
                image.close();
                canvas.dataset.frames = String(Number(canvas.dataset.frames || 0) + 1);
                if (onFrame) onFrame(canvas.width, canvas.height);
              } catch (error) {
                // A frame that does not decode: the next one will.
              }
              if (socket && socket.readyState === WebSocket.OPEN) socket.send("ack");
            }
            drawing = false;
          };
          open();
          return () => {
            stopped = true;
            clearTimeout(timer);
            if (socket) socket.close();
          };
        }

        const routes = [
          [/^#?\/?$/, (root) => showDevices(root)],
          [/^#\/device\/(.+)$/, (root, m) => showDevice(root, decodeURIComponent(m[1]))],
          [/^#\/jobs$/, (root) => showJobs(root)],
          [/^#\/new$/, (root) => showNewJob(root)],
          [/^#\/job\/([^/]+)$/, (root, m) => showJob(root, decodeURIComponent(m[1]))],
          [/^#\/episodes$/, (root) => showEpisodes(root)],
          [/^#\/episode\/([^/]+)$/, (root, m) => showEpisode(root, decodeURIComponent(m[1]))],
        ];
        function route() {
          for (const fn of view.cleanups.splice(0)) {
            try { fn(); } catch (error) { /* already stopped */ }
          }
          const root = el("section", { class: "page" });
          view.root = root;
          document.getElementById("main").replaceChildren(root);
          const hash = location.hash || "#/";
          for (const [pattern, show] of routes) {
            const match = hash.match(pattern);
            if (match) {
              Promise.resolve(show(root, match)).catch((error) => root.append(el("p", { class: "error", text: error.message || String(error) })));
              return;
            }
          }
          root.append(el("p", { class: "error", text: `There is no page ${hash}.` }));
        }
        window.addEventListener("hashchange", route);
        window.addEventListener("DOMContentLoaded", route);
        """#
}

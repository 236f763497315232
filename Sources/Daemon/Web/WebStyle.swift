/// The stylesheet of both pages: one column on a phone, a grid on a laptop, nothing wider than
/// the window.
enum WebStyle {
    static let source = #"""
        :root { --bg: #f5f6f8; --card: #fff; --ink: #1d2330; --muted: #5d6677; --line: #d9dde5;
          --accent: #1f6feb; --good: #1a7f37; --bad: #c62828; --warn: #9a6700; --mark: #ff3b30; }
        * { box-sizing: border-box; }
        html, body { margin: 0; }
        body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink);
          background: var(--bg); overflow-wrap: anywhere; }
        a { color: var(--accent); }
        code, pre, .mono { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; }
        pre { white-space: pre-wrap; margin: .3rem 0; }
        h1, h2, h3 { margin: .2rem 0 .6rem; line-height: 1.2; }
        h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; } h3 { font-size: 1rem; }
        .bar { display: flex; flex-wrap: wrap; align-items: center; gap: .4rem 1rem; padding: .5rem 1rem;
          background: #18202e; color: #fff; position: sticky; top: 0; z-index: 5; }
        .bar a { color: #dfe6f3; text-decoration: none; }
        .bar .brand { font-weight: 700; color: #fff; margin-right: .5rem; }
        .bar nav { display: flex; flex-wrap: wrap; gap: .2rem 1rem; flex: 1 1 auto; }
        .bar form { margin: 0; }
        main { padding: 1rem; max-width: 1400px; margin: 0 auto; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem;
          min-width: 0; }
        .grid { display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 220px), 1fr)); }
        .device-card { cursor: pointer; display: flex; flex-direction: column; gap: .4rem; }
        .device-card canvas { width: auto; height: auto; max-width: 100%; max-height: 60vh; margin: 0 auto; }
        canvas.screen { display: block; background: #000; border-radius: 6px; max-width: 100%; }
        .device-view { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
        .device-view canvas.screen { flex: 0 0 auto; width: auto; height: auto; max-width: 100%;
          max-height: calc(100vh - 7rem); touch-action: none; cursor: crosshair; user-select: none; }
        .controls { display: flex; flex-direction: column; gap: .8rem; flex: 1 1 18rem; min-width: 0; }
        .row { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; }
        .state { display: inline-block; padding: 0 .45rem; border-radius: 999px; font-size: 12px; font-weight: 600;
          background: #e8ebf0; color: var(--muted); }
        .state.online, .state.succeeded { background: #dcf5e3; color: var(--good); }
        .state.busy, .state.running, .state.queued { background: #ddeafd; color: var(--accent); }
        .state.waiting { background: #fff1c9; color: var(--warn); }
        .state.offline, .state.failed, .state.unauthorized, .state.interrupted, .state.cancelled { background: #fde2e1; color: var(--bad); }
        .muted { color: var(--muted); }
        .error { color: var(--bad); }
        button, input, select, textarea { font: inherit; }
        input, select, textarea { padding: .35rem .5rem; border: 1px solid var(--line); border-radius: 6px;
          background: #fff; max-width: 100%; min-width: 0; }
        textarea { width: 100%; min-height: 5rem; resize: vertical; }
        button { padding: .35rem .8rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent);
          color: #fff; cursor: pointer; }
        button.quiet { background: transparent; color: inherit; border-color: #6b778c; }
        button.danger { background: var(--bad); border-color: var(--bad); }
        button.ghost { background: #fff; color: var(--ink); border-color: var(--line); }
        button:disabled { opacity: .5; cursor: default; }
        form.stack { display: flex; flex-direction: column; gap: .7rem; max-width: 720px; }
        form.stack label { display: flex; flex-direction: column; gap: .2rem; font-weight: 600; }
        form.stack label.inline { flex-direction: row; align-items: center; gap: .4rem; font-weight: 400; }
        fieldset { border: 1px solid var(--line); border-radius: 6px; display: flex; flex-direction: column; gap: .6rem; min-width: 0; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        .table-wrap { overflow-x: auto; }
        .job-head { display: flex; flex-wrap: wrap; gap: .6rem 1rem; align-items: center; }
        .question { border-left: 4px solid var(--warn); }
        .steps { display: flex; flex-direction: column; gap: 1rem; margin-top: 1rem; }
        .step { display: grid; gap: 1rem; grid-template-columns: minmax(0, 240px) minmax(0, 1fr); }
        .shot { position: relative; margin: 0; align-self: start; }
        .shot img { display: block; width: 100%; height: auto; border-radius: 6px; background: #000; }
        .shot svg { position: absolute; inset: 0; width: 100%; height: 100%; pointer-events: none; }
        .shot .none { padding: 2rem 1rem; text-align: center; background: #e8ebf0; border-radius: 6px; }
        .facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem .8rem; margin: .4rem 0; }
        .facts dt { color: var(--muted); }
        .facts dd { margin: 0; min-width: 0; }
        body.signin { display: grid; place-items: center; min-height: 100vh; padding: 1rem; }
        .signin-card { width: min(100%, 420px); display: flex; flex-direction: column; gap: .6rem; }
        .signin-card input { width: 100%; }
        @media (max-width: 760px) {
          .step { grid-template-columns: minmax(0, 1fr); }
          .device-view canvas.screen { max-height: 70vh; margin: 0 auto; }
          .shot { max-width: 420px; }
        }
        """#
}

/** The reference page's stylesheet, served from booking-api itself (no web fonts, no outside host). */
export const REFERENCE_CSS = `
:root { color-scheme: light dark; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --bg: #fff; --code: #f3f4f6;
  --get: #0a6e31; --post: #0550ae; --put: #7d4e00; --patch: #6639ba; --delete: #b3261e; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --bg: #0d1117; --code: #161b22;
  --get: #3fb950; --post: #58a6ff; --put: #d29922; --patch: #bc8cff; --delete: #ff7b72; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg);
  display: grid; grid-template-columns: minmax(16rem, 22rem) 1fr; }
nav { position: sticky; top: 0; height: 100vh; overflow: auto; padding: 1rem; border-right: 1px solid var(--line); font-size: 13px; }
nav h2 { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 1.2rem 0 .3rem; }
nav ul { list-style: none; margin: 0; padding: 0; }
nav li a { display: flex; gap: .4rem; align-items: baseline; padding: .15rem 0; color: inherit; text-decoration: none; overflow-wrap: anywhere; min-width: 0; }
nav li a:hover, nav li a:focus-visible { text-decoration: underline; }
.brand { font-weight: 600; margin: 0 0 .3rem; }
main { padding: 1rem 2rem 4rem; max-width: 70rem; min-width: 0; }
a { color: var(--post); }
a:focus-visible, summary:focus-visible { outline: 2px solid var(--post); outline-offset: 2px; }
code { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--code); padding: 0 .25em; border-radius: 4px; }
h3 code { font-size: 15px; overflow-wrap: anywhere; }
section > h2 { border-bottom: 1px solid var(--line); padding-bottom: .3rem; margin-top: 2.5rem; }
.op { border: 1px solid var(--line); border-radius: 8px; padding: .2rem 1rem 1rem; margin: 1rem 0; scroll-margin-top: 1rem; }
.summary { font-weight: 600; margin: 0; }
.m { flex: none; display: inline-block; min-width: 3.6em; font: 700 11px/1.8 ui-monospace, monospace; text-align: center; border-radius: 4px; color: #fff; }
.m.get { background: var(--get); } .m.post { background: var(--post); } .m.put { background: var(--put); }
.m.patch { background: var(--patch); } .m.delete { background: var(--delete); }
.k { color: var(--muted); font-size: 13px; margin: .4rem 0; }
table { border-collapse: collapse; width: 100%; font-size: 13px; margin: .5rem 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: .3rem .4rem; }
details { margin: .3rem 0; }
summary { cursor: pointer; }
summary p { display: inline; margin: 0; }
.res { border-left: 3px solid var(--line); padding-left: .6rem; }
.res.s2 { border-color: var(--get); } .res.s4 { border-color: var(--put); } .res.s5 { border-color: var(--delete); }
.schema { font-size: 13px; }
.schema .d p { display: inline; margin: 0; color: var(--muted); }
.props, .alt { margin: .2rem 0; padding-left: 1.2rem; }
.props li, .alt li { margin: .15rem 0; }
.req { color: var(--delete); font-size: 11px; }
.c { color: var(--muted); }
.component { border-bottom: 1px solid var(--line); padding: .3rem 0; scroll-margin-top: 1rem; }
@media (max-width: 48rem) { body { display: block; } nav { position: static; height: auto; border-right: 0; border-bottom: 1px solid var(--line); } main { padding: 1rem; } }
`;

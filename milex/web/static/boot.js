// Loaded before the app's modules: starts the page's first API read at once, so that it travels
// while the modules load and compile (app.js takes it from window.milexFirst if it asks for the
// same path; it does for the runs list and a run, which can be large).
window.milexFirst = (() => {
  const run = location.pathname.match(/^\/runs\/([^/]+)$/);
  const path = run ? `/runs/${run[1]}` : ['/', '/runs'].includes(location.pathname) ? '/runs' : null;
  return path && { path, response: fetch('/api' + path) };
})();

/* specbook serve: reloads this page when a rebuild changed it (or a shared asset), and shows
   build problems in an overlay. Server data is only ever put into the page as text
   (textContent), never as markup. */
(function () {
  'use strict';
  if (!window.EventSource) return;
  var path = location.pathname.replace(/^\/+/, '');
  try { path = decodeURIComponent(path); } catch (e) { /* keep it encoded */ }
  if (path === '' || path.charAt(path.length - 1) === '/') path += 'index.html';

  var server = null;
  var build = null;
  var overlay = null;
  var text = null;

  function affects(changed) {
    for (var i = 0; i < changed.length; i++) {
      var p = changed[i];
      if (p === '*' || p === path || p.indexOf('static/') === 0) return true;
    }
    return false;
  }

  function show(message) {
    if (!overlay) {
      overlay = document.createElement('div');
      overlay.setAttribute('role', 'alert');
      var s = overlay.style;
      s.position = 'fixed'; s.left = '0'; s.right = '0'; s.bottom = '0'; s.zIndex = '2147483647';
      s.maxHeight = '60vh'; s.overflow = 'auto'; s.margin = '0'; s.padding = '0.75rem 1rem';
      s.background = '#1e1e1e'; s.color = '#f4f4f4'; s.borderTop = '4px solid #d33';
      s.font = '13px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';
      var head = document.createElement('div');
      head.style.fontWeight = 'bold'; head.style.marginBottom = '0.5rem';
      head.textContent = 'specbook: the last change does not build; this page shows the last good build.';
      var close = document.createElement('button');
      close.type = 'button'; close.textContent = 'hide';
      close.style.float = 'right'; close.style.font = 'inherit';
      close.addEventListener('click', function () { overlay.style.display = 'none'; });
      head.appendChild(close);
      text = document.createElement('pre');
      text.style.margin = '0'; text.style.whiteSpace = 'pre-wrap';
      overlay.appendChild(head);
      overlay.appendChild(text);
    }
    text.textContent = message;
    overlay.style.display = 'block';
    if (!overlay.parentNode) (document.body || document.documentElement).appendChild(overlay);
  }

  function hide() {
    if (overlay && overlay.parentNode) overlay.parentNode.removeChild(overlay);
  }

  function parse(e) {
    try { return JSON.parse(e.data); } catch (err) { return null; }
  }

  var events = new EventSource('/__specbook/events');
  events.addEventListener('hello', function (e) {
    var d = parse(e);
    if (!d) return;
    // After a reconnect: reload if the server restarted or builds were missed.
    if (server !== null && (d.server !== server || d.build !== build)) location.reload();
    server = d.server; build = d.build;
  });
  events.addEventListener('reload', function (e) {
    var d = parse(e);
    if (!d) return;
    build = d.build;
    if (affects(d.changed || ['*'])) location.reload();
  });
  events.addEventListener('problems', function (e) {
    var d = parse(e);
    if (d && typeof d.text === 'string') show(d.text);
  });
  events.addEventListener('ok', hide);
})();

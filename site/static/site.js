/* specbook site script: search with a lazily fetched index, the filters of the requirements
 * table and copy-link buttons. Progressive enhancement only: every page works without it.
 * Safety: text from the URL, the query or the index is only ever set with textContent or as
 * a property (href, value); nothing is ever parsed as markup. */
(function () {
  'use strict';

  var root = document.documentElement.getAttribute('data-root') || '';

  function el(tag, className, text) {
    var e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function pagePath(id) {
    return root + 'req/' + encodeURIComponent(id) + '.html';
  }

  /* ------------------------------------------------------------------ search index */

  var indexPromise = null;

  function loadIndex() {
    if (indexPromise) return indexPromise;
    if (location.protocol === 'file:') {
      indexPromise = Promise.reject(new Error('file'));
      indexPromise.catch(function () {});
      return indexPromise;
    }
    indexPromise = fetch(root + 'search-index.json', { credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(prepare);
    indexPromise.catch(function () {
      indexPromise = null; // let a later focus try again
    });
    return indexPromise;
  }

  function prepare(data) {
    if (!data || data.v !== 1 || !Array.isArray(data.reqs)) throw new Error('unknown index format');
    var chapters = Array.isArray(data.chapters) ? data.chapters : [];
    var docs = [];
    data.reqs.forEach(function (r) {
      var ch = chapters[r[3]] || ['', ''];
      docs.push({
        kind: 'req', id: String(r[0]), title: String(r[1]), text: String(r[2]),
        chapter: String(ch[1]), strength: String(r[4] || ''), status: String(r[5] || ''),
        href: pagePath(String(r[0]))
      });
    });
    chapters.forEach(function (c) {
      docs.push({
        kind: 'chapter', id: '', title: String(c[1]), text: '', chapter: '', strength: '', status: '',
        href: root + encodeURIComponent(String(c[0])) + '.html'
      });
    });
    docs.forEach(function (d) {
      d.idL = d.id.toLowerCase();
      d.titleL = d.title.toLowerCase();
      d.textL = d.text.toLowerCase();
    });
    return docs;
  }

  function terms(q) {
    return q.toLowerCase().split(/\s+/).filter(function (t) { return t.length > 0; });
  }

  function atWordStart(hay, i) {
    return i === 0 || /[^a-z0-9]/.test(hay.charAt(i - 1));
  }

  /* Every term must occur in the ID, title or statement; ID matches rank first, then
   * title matches, then statement matches; ties keep reading order. */
  function search(docs, q) {
    var ql = q.trim().toLowerCase();
    var ts = terms(ql);
    if (!ts.length) return [];
    var hits = [];
    for (var i = 0; i < docs.length; i++) {
      var d = docs[i];
      var score = 0;
      if (d.idL && d.idL === ql) score += 1000;
      else if (d.idL && d.idL.indexOf(ql) === 0) score += 400;
      var all = true;
      for (var j = 0; j < ts.length; j++) {
        var t = ts[j], s = 0, at;
        if (d.idL && (at = d.idL.indexOf(t)) >= 0) s = 60;
        else if ((at = d.titleL.indexOf(t)) >= 0) s = atWordStart(d.titleL, at) ? 30 : 15;
        else if ((at = d.textL.indexOf(t)) >= 0) s = atWordStart(d.textL, at) ? 8 : 4;
        if (!s) { all = false; break; }
        score += s;
      }
      if (all) hits.push([score + (d.kind === 'chapter' ? 5 : 0), i]);
    }
    hits.sort(function (a, b) { return b[0] - a[0] || a[1] - b[1]; });
    return hits.map(function (h) { return docs[h[1]]; });
  }

  /* Appends `text` to `parent`, wrapping occurrences of the terms in <mark>. */
  function highlight(parent, text, ts) {
    var lower = text.toLowerCase();
    var pos = 0;
    while (pos < text.length) {
      var best = -1, len = 0;
      for (var k = 0; k < ts.length; k++) {
        var at = lower.indexOf(ts[k], pos);
        if (at >= 0 && (best < 0 || at < best)) { best = at; len = ts[k].length; }
      }
      if (best < 0) break;
      if (best > pos) parent.appendChild(document.createTextNode(text.slice(pos, best)));
      parent.appendChild(el('mark', '', text.slice(best, best + len)));
      pos = best + len;
    }
    if (pos < text.length) parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  function snippet(text, ts) {
    var lower = text.toLowerCase();
    var first = -1;
    ts.forEach(function (t) {
      var at = lower.indexOf(t);
      if (at >= 0 && (first < 0 || at < first)) first = at;
    });
    if (text.length <= 200) return text;
    var start = Math.max(0, first - 60);
    var out = text.slice(start, start + 200);
    return (start > 0 ? '… ' : '') + out + (start + 200 < text.length ? ' …' : '');
  }

  function resultItem(d, ts, full) {
    var li = el('li');
    var a = el('a');
    a.href = d.href;
    if (d.kind === 'req') {
      a.appendChild(el('span', 'r-id', d.id));
    } else {
      a.appendChild(el('span', 'r-id', 'Chapter'));
    }
    var title = el('span', 'r-title');
    highlight(title, d.title, ts);
    a.appendChild(title);
    li.appendChild(a);
    if (full && d.kind === 'req') {
      var p = el('p', 'r-text');
      highlight(p, snippet(d.text, ts), ts);
      if (d.chapter) {
        p.appendChild(document.createTextNode(' '));
        p.appendChild(el('span', 'muted', '(' + d.chapter + ')'));
      }
      li.appendChild(p);
    }
    return li;
  }

  function setupSearch(input) {
    var mode = input.getAttribute('data-search');
    var list = document.getElementById('sb-results');
    var status = document.getElementById('sb-status');
    var form = input.form;
    if (!list) return;
    var limit = mode === 'page' ? 200 : 8;
    var timer = null;

    function show(q) {
      var ts = terms(q);
      if (!ts.length) {
        clear(list);
        if (mode === 'popup') list.hidden = true;
        if (status) status.textContent = '';
        return;
      }
      loadIndex().then(function (docs) {
        if (input.value.trim() !== q.trim()) return; // a newer query is on its way
        var found = search(docs, q);
        clear(list);
        found.slice(0, limit).forEach(function (d) { list.appendChild(resultItem(d, ts, mode === 'page')); });
        if (mode === 'popup') {
          if (!found.length) list.appendChild(el('li', 'r-note', 'No match.'));
          if (found.length > limit) {
            var more = el('li');
            var a = el('a', 'r-more', 'All ' + found.length + ' results');
            a.href = root + 'search.html?q=' + encodeURIComponent(q);
            more.appendChild(a);
            list.appendChild(more);
          }
          list.hidden = false;
        }
        if (status) {
          status.textContent = found.length
            ? found.length + (found.length === 1 ? ' result' : ' results') + ' for “' + q.trim() + '”.'
            : 'Nothing matches “' + q.trim() + '”.';
        }
      }, function (err) {
        clear(list);
        var msg = err && err.message === 'file'
          ? 'Search needs the site to be served over HTTP; the table of all requirements works offline.'
          : 'The search index could not be loaded.';
        if (mode === 'popup') {
          list.appendChild(el('li', 'r-note', msg));
          list.hidden = false;
        }
        if (status) status.textContent = msg;
      });
    }

    input.addEventListener('focus', function () { loadIndex().catch(function () {}); });
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        show(input.value);
        if (mode === 'page') {
          try {
            var u = new URL(location.href);
            if (input.value) u.searchParams.set('q', input.value); else u.searchParams.delete('q');
            history.replaceState(null, '', u.pathname + u.search);
          } catch (e) { /* file: URLs may refuse */ }
        }
      }, 60);
    });

    if (mode === 'page' && form) {
      form.addEventListener('submit', function (ev) {
        ev.preventDefault();
        show(input.value);
      });
      var q = new URLSearchParams(location.search).get('q');
      if (q) {
        input.value = q;
        show(q);
      }
    }

    if (mode === 'popup') {
      var links = function () { return Array.prototype.slice.call(list.querySelectorAll('a')); };
      input.addEventListener('keydown', function (ev) {
        if (ev.key === 'ArrowDown' && !list.hidden) {
          var l = links();
          if (l.length) { ev.preventDefault(); l[0].focus(); }
        } else if (ev.key === 'Escape') {
          list.hidden = true;
        }
      });
      list.addEventListener('keydown', function (ev) {
        var l = links();
        var i = l.indexOf(document.activeElement);
        if (ev.key === 'ArrowDown' && i < l.length - 1) { ev.preventDefault(); l[i + 1].focus(); }
        else if (ev.key === 'ArrowUp') { ev.preventDefault(); if (i > 0) l[i - 1].focus(); else input.focus(); }
        else if (ev.key === 'Escape') { list.hidden = true; input.focus(); }
      });
      document.addEventListener('click', function (ev) {
        if (form && !form.contains(ev.target)) list.hidden = true;
      });
    }
  }

  /* ------------------------------------------------------------------ requirement filters */

  function setupFilters() {
    var table = document.getElementById('sb-reqs');
    var form = document.getElementById('sb-filters');
    var count = document.getElementById('sb-count');
    if (!table || !form || !table.tBodies.length) return;
    var selects = Array.prototype.slice.call(form.querySelectorAll('select[data-filter]'));
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var params = new URLSearchParams(location.search);
    selects.forEach(function (s) {
      var v = params.get(s.name);
      if (v === null) return;
      for (var i = 0; i < s.options.length; i++) {
        if (s.options[i].value === v) { s.selectedIndex = i; break; }
      }
    });

    function apply() {
      var want = [];
      selects.forEach(function (s) { if (s.value) want.push([s.getAttribute('data-filter'), s.value]); });
      var shown = 0;
      rows.forEach(function (row) {
        var ok = want.every(function (w) {
          var have = row.getAttribute('data-' + w[0]) || '';
          return w[0] === 'org' || w[0] === 'item' ? have.split(' ').indexOf(w[1]) >= 0 : have === w[1];
        });
        row.hidden = !ok;
        if (ok) shown++;
      });
      if (count) {
        count.textContent = shown === rows.length
          ? rows.length + (rows.length === 1 ? ' requirement.' : ' requirements.')
          : 'Showing ' + shown + ' of ' + rows.length + ' requirements.';
      }
      try {
        var u = new URL(location.href);
        selects.forEach(function (s) {
          if (s.value) u.searchParams.set(s.name, s.value); else u.searchParams.delete(s.name);
        });
        history.replaceState(null, '', u.pathname + u.search);
      } catch (e) { /* file: URLs may refuse */ }
    }

    form.hidden = false;
    form.addEventListener('change', apply);
    form.addEventListener('submit', function (ev) { ev.preventDefault(); });
    form.addEventListener('reset', function () { setTimeout(apply, 0); });
    apply();
  }

  /* ------------------------------------------------------------------ copy-link buttons */

  function setupCopyLinks() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    var blocks = document.querySelectorAll('[data-permalink]');
    Array.prototype.forEach.call(blocks, function (block) {
      var heading = block.querySelector('.req-heading');
      if (!heading) return;
      var button = el('button', 'copy-link', 'Copy link');
      button.type = 'button';
      var id = block.id;
      button.setAttribute('aria-label', 'Copy the permanent link of ' + id);
      button.addEventListener('click', function () {
        var url = new URL(block.getAttribute('data-permalink'), location.href).href;
        navigator.clipboard.writeText(url).then(function () {
          button.textContent = 'Copied';
          setTimeout(function () { button.textContent = 'Copy link'; }, 1500);
        }, function () {
          button.textContent = 'Copy failed';
        });
      });
      heading.appendChild(button);
    });
  }

  function start() {
    var inputs = document.querySelectorAll('input[data-search]');
    Array.prototype.forEach.call(inputs, setupSearch);
    setupFilters();
    setupCopyLinks();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

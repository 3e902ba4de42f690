// The Wissen web chat: login, streamed answers with citations, history, feedback, admin view.
// Untrusted text (answers, document text, titles) only ever goes through textContent.
import { ApiError, askStream, call, setCsrfToken } from './api.js';
import { applyLanguage, language, setLanguage, t } from './i18n.js';
import { el, renderMarkdown } from './markdown.js';

const $ = (id) => document.getElementById(id);
const state = {
  me: null,
  conversationId: null,
  controller: null,    // AbortController of the running answer
  returnFocus: null,   // element focused before the document view opened
  retryTimer: null,
};

// ---- notices and errors -------------------------------------------------------------------

function notify(message, kind = 'error') {
  const box = $('notice');
  box.textContent = message;
  box.className = 'notice ' + kind;
  box.hidden = !message;
}

function clearNotice() { notify(''); }

// Shows the right message for an API error; returns true when the session is gone.
function handleError(error) {
  if (error.name === 'AbortError') return false;
  clearInterval(state.retryTimer);
  if (error instanceof ApiError && error.status === 401) {
    showLogin(t('sessionExpired'));
    return true;
  }
  if (error instanceof ApiError && error.status === 429) {
    let seconds = error.retryAfter;
    const show = () => notify(seconds > 0 ? t('rateLimited', { seconds }) : t('rateLimitedNoWait'), 'warning');
    show();
    if (seconds > 0) {
      $('send').disabled = true;
      state.retryTimer = setInterval(() => {
        seconds -= 1;
        if (seconds <= 0) {
          clearInterval(state.retryTimer);
          $('send').disabled = false;
          clearNotice();
        } else show();
      }, 1000);
    }
    return false;
  }
  if (error instanceof ApiError && (error.status === 0 || error.status >= 500 || error.code === 'unavailable')) {
    notify(t('unavailable'));
    return false;
  }
  notify(t('failed', { message: error.message || String(error) }));
  return false;
}

// ---- views --------------------------------------------------------------------------------

function showOnly(view) {
  for (const id of ['login-view', 'chat-view', 'admin-view']) $(id).hidden = id !== view;
  $('doc-view').hidden = true;
  const loggedIn = view !== 'login-view';
  $('logout').hidden = !loggedIn;
  $('who').hidden = !loggedIn;
  $('generator').hidden = !loggedIn;
  $('admin-open').hidden = !(loggedIn && state.me && state.me.admin);
}

function showLogin(message) {
  state.me = null;
  setCsrfToken('');
  if (state.controller) state.controller.abort();
  showOnly('login-view');
  const error = $('login-error');
  error.textContent = message || '';
  error.hidden = !message;
  clearNotice();
  $('username').focus();
}

function renderMe() {
  $('who').textContent = state.me.user;
  $('generator').textContent = t('modelLabel', { name: state.me.generator || 'extractive' });
}

async function showChat() {
  showOnly('chat-view');
  renderMe();
  await loadConversations();
  $('question').focus();
}

// ---- login / logout -----------------------------------------------------------------------

async function login(event) {
  event.preventDefault();
  const error = $('login-error');
  error.hidden = true;
  try {
    const me = await call('POST', '/api/v1/login', {
      username: $('username').value.trim(), password: $('password').value,
    });
    setCsrfToken(me.csrf_token);
    state.me = { ...me, generator: '' };
    $('password').value = '';
    try { Object.assign(state.me, await call('GET', '/api/v1/me')); } catch { /* keep login data */ }
    newConversation();
    await showChat();
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) {
      error.textContent = t('loginFailed');
      error.hidden = false;
    } else if (e instanceof ApiError && e.status === 429) {
      error.textContent = e.retryAfter > 0 ? t('rateLimited', { seconds: e.retryAfter }) : t('rateLimitedNoWait');
      error.hidden = false;
    } else {
      handleError(e);
    }
  }
}

async function logout() {
  try { await call('POST', '/api/v1/logout', {}); } catch { /* the session ends anyway */ }
  showLogin('');
}

// ---- conversations ------------------------------------------------------------------------

async function loadConversations() {
  let list;
  try {
    list = (await call('GET', '/api/v1/conversations')).conversations || [];
  } catch (e) { handleError(e); return; }
  const ul = $('conversations');
  ul.replaceChildren();
  for (const c of list) {
    const li = el('li', c.id === state.conversationId ? 'current' : '');
    const open = el('button', 'conversation-open', c.title || '…');
    open.type = 'button';
    open.dataset.id = c.id;
    if (c.id === state.conversationId) open.setAttribute('aria-current', 'true');
    open.addEventListener('click', () => openConversation(c.id));
    const del = el('button', 'conversation-delete', '×');
    del.type = 'button';
    del.setAttribute('aria-label', t('deleteConversation', { title: c.title || '' }));
    del.title = t('delete');
    del.addEventListener('click', () => deleteConversation(c.id));
    li.append(open, del);
    ul.append(li);
  }
  $('conversations-empty').hidden = list.length > 0;
}

function newConversation() {
  if (state.controller) state.controller.abort();
  state.conversationId = null;
  $('messages').replaceChildren(welcome());
  for (const b of document.querySelectorAll('.conversations li')) b.classList.remove('current');
}

function welcome() {
  return el('p', 'welcome', t('welcome'));
}

async function openConversation(id) {
  if (state.controller) state.controller.abort();
  clearNotice();
  let conversation;
  try {
    conversation = await call('GET', '/api/v1/conversations/' + encodeURIComponent(id));
  } catch (e) { handleError(e); return; }
  state.conversationId = id;
  const messages = $('messages');
  messages.replaceChildren();
  for (const m of conversation.messages || []) {
    if (m.role === 'user') messages.append(userMessage(m.text));
    else {
      const view = answerMessage();
      messages.append(view.root);
      finishAnswer(view, {
        answer: m.text, answer_id: m.answer_id, citations: m.citations || [], related: m.related || [],
        generator: m.generator, no_answer: m.no_answer, fallback: m.fallback,
      });
    }
  }
  await loadConversations();
  $('question').focus();
}

async function deleteConversation(id) {
  try {
    await call('DELETE', '/api/v1/conversations/' + encodeURIComponent(id));
  } catch (e) { handleError(e); return; }
  if (state.conversationId === id) newConversation();
  await loadConversations();
  $('new-conversation').focus();
}

// ---- messages -----------------------------------------------------------------------------

function userMessage(text) {
  const root = el('article', 'message user');
  root.append(el('h3', 'visually-hidden', t('you')));
  const body = el('p', 'text', text);
  root.append(body);
  return root;
}

function answerMessage() {
  const root = el('article', 'message assistant');
  root.append(el('h3', 'visually-hidden', t('assistant')));
  const body = el('div', 'text');
  body.append(el('p', 'thinking', t('thinking')));
  const meta = el('div', 'meta');
  root.append(body, meta);
  return { root, body, meta, text: '', citations: [] };
}

function citeLink(citation) {
  const a = el('a', 'cite', '[' + citation.id + ']');
  a.href = documentHref(citation);
  a.dataset.documentId = citation.document_id;
  a.setAttribute('aria-label', (language() === 'de' ? 'Quelle ' : 'Source ') + citation.id + ': ' + (citation.title || citation.path || ''));
  a.addEventListener('click', (event) => {
    if (event.ctrlKey || event.metaKey || event.shiftKey) return;  // new tab: the original file
    event.preventDefault();
    openDocument(citation, a);
  });
  return a;
}

function documentHref(citation) {
  const base = '/api/v1/documents/' + encodeURIComponent(citation.document_id) + '/file';
  return citation.page > 0 ? base + '#page=' + citation.page : base;
}

function renderAnswerText(view) {
  const byId = new Map(view.citations.map((c) => [Number(c.id), c]));
  renderMarkdown(view.body, view.text, (n) => (byId.has(n) ? citeLink(byId.get(n)) : null));
}

function finishAnswer(view, done) {
  view.citations = done.citations || [];
  view.text = done.answer || view.text;
  if (done.no_answer) view.root.classList.add('no-answer');
  if (!view.text) view.text = done.no_answer ? t('noAnswer') : '';
  renderAnswerText(view);
  view.meta.replaceChildren();
  if (view.citations.length > 0) {
    const sources = el('ol', 'sources');
    sources.setAttribute('aria-label', t('sourcesLabel'));
    for (const c of view.citations) {
      const li = el('li');
      li.value = Number(c.id) || undefined;
      const link = citeLink(c);
      link.className = 'source';
      link.textContent = c.title || c.path || String(c.document_id);
      li.append(el('span', 'source-number', '[' + c.id + '] '), link);
      const where = [];
      if (c.heading_path && c.heading_path !== c.title) where.push(c.heading_path);
      if (c.page > 0) where.push(pageLabel(c.path, c.page));
      if (where.length) li.append(el('span', 'source-where', ' · ' + where.join(' · ')));
      sources.append(li);
    }
    view.meta.append(sources);
  }
  if (done.no_answer) view.meta.append(el('p', 'note', t('noAnswerNote')));
  // Nothing answered the question: the closest documents the user may read, as links only.
  if (done.no_answer && (done.related || []).length > 0) {
    const related = el('ul', 'related');
    related.setAttribute('aria-label', t('relatedLabel'));
    for (const c of done.related) {
      const link = citeLink(c);
      link.className = 'source';
      link.textContent = c.title || c.path || String(c.document_id);
      const li = el('li');
      li.append(link);
      related.append(li);
    }
    view.meta.append(el('p', 'note related-intro', t('relatedLabel')), related);
  }
  if (done.fallback) view.meta.append(el('p', 'note fallback', t('fallback')));
  if (done.generator) view.meta.append(el('p', 'generator-used', t('generatorLabel', { name: done.generator })));
  if (done.answer_id) view.meta.append(feedbackBox(done.answer_id));
}

function feedbackBox(answerId) {
  const box = el('div', 'feedback');
  const up = el('button', 'thumb up', '✓ ' + t('helpful'));
  const down = el('button', 'thumb down', '✗ ' + t('notHelpful'));
  const status = el('span', 'feedback-status');
  status.setAttribute('role', 'status');
  const form = el('form', 'feedback-comment');
  form.hidden = true;
  const label = el('label', '', t('commentLabel'));
  const textarea = el('textarea');
  textarea.rows = 2;
  textarea.maxLength = 4000;
  const fieldId = 'comment-' + answerId;
  textarea.id = fieldId;
  label.htmlFor = fieldId;
  const submit = el('button', 'secondary', t('sendComment'));
  submit.type = 'submit';
  form.append(label, textarea, submit);
  let rating = '';
  const rate = async (value) => {
    try {
      await call('POST', '/api/v1/feedback', { answer_id: answerId, rating: value });
    } catch (e) { handleError(e); return; }
    rating = value;
    up.setAttribute('aria-pressed', String(value === 'up'));
    down.setAttribute('aria-pressed', String(value === 'down'));
    status.textContent = t('feedbackThanks');
    form.hidden = false;
  };
  for (const [button, value, key] of [[up, 'up', 'helpful'], [down, 'down', 'notHelpful']]) {
    button.type = 'button';
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', () => rate(value));
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await call('POST', '/api/v1/feedback', { answer_id: answerId, rating, comment: textarea.value });
    } catch (e) { handleError(e); return; }
    form.hidden = true;
    status.textContent = t('feedbackThanks');
  });
  box.append(up, down, status, form);
  return box;
}

// ---- asking -------------------------------------------------------------------------------

function setStreaming(on) {
  $('send').hidden = on;
  $('stop').hidden = !on;
  $('question').setAttribute('aria-busy', String(on));
}

async function ask(event) {
  if (event) event.preventDefault();
  const input = $('question');
  const question = input.value.trim();
  if (!question || state.controller || $('send').disabled) return;
  clearNotice();
  const messages = $('messages');
  messages.querySelector('.welcome')?.remove();
  messages.append(userMessage(question));
  const view = answerMessage();
  view.root.setAttribute('aria-busy', 'true');
  messages.append(view.root);
  input.value = '';
  view.root.scrollIntoView({ block: 'end' });

  const controller = new AbortController();
  state.controller = controller;
  setStreaming(true);
  let finished = false;
  try {
    await askStream({ question, conversation_id: state.conversationId || undefined }, (name, data) => {
      if (controller.signal.aborted) return;
      if (name === 'start' && data.conversation_id) state.conversationId = data.conversation_id;
      else if (name === 'token') {
        view.text += data.text || '';
        renderAnswerText(view);
      } else if (name === 'citations') {
        view.citations = data.citations || [];
        renderAnswerText(view);
      } else if (name === 'done') {
        finished = true;
        finishAnswer(view, data);
      } else if (name === 'error') {
        finished = true;
        view.root.remove();
        handleError(new ApiError(data.error?.code === 'invalid_argument' ? 400 : 503,
          data.error?.code || 'unavailable', data.error?.message || ''));
      }
    }, controller.signal);
    if (!finished) throw new ApiError(0, 'network', 'stream ended early');
  } catch (e) {
    if (e.name === 'AbortError') {
      if (!view.text) view.body.replaceChildren();
      view.meta.replaceChildren(el('p', 'note', t('stopped')));
    } else {
      if (!view.text) view.root.remove();
      const gone = handleError(e);
      if (!gone && !input.value) input.value = question;
    }
  } finally {
    view.root.removeAttribute('aria-busy');
    if (state.controller === controller) state.controller = null;
    setStreaming(false);
  }
  if (state.me) await loadConversations();
  if (state.me && !$('chat-view').hidden && $('doc-view').hidden) input.focus();
}

function stop() {
  if (state.controller) state.controller.abort();
  $('question').focus();
}

// ---- document view ------------------------------------------------------------------------

async function openDocument(citation, opener) {
  state.returnFocus = opener || document.activeElement;
  const panel = $('doc-view');
  const body = $('doc-body');
  $('doc-title').textContent = citation.title || citation.path || '';
  $('doc-path').textContent = citation.path || '';
  body.replaceChildren(el('p', 'hint', t('loading')));
  const original = $('doc-original');
  original.href = documentHref(citation);
  original.textContent = citation.page > 0 ? t('originalPage', { page: citation.page }) : t('original');
  panel.hidden = false;
  $('doc-title').focus();
  let doc;
  try {
    doc = await call('GET', '/api/v1/documents/' + encodeURIComponent(citation.document_id));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) body.replaceChildren(el('p', 'error', t('docNotFound')));
    else if (!handleError(e)) body.replaceChildren();
    return;
  }
  $('doc-title').textContent = doc.title || doc.path || '';
  $('doc-path').textContent = doc.path || '';
  if (doc.file_url) original.href = doc.file_url + (citation.page > 0 ? '#page=' + citation.page : '');
  showDocumentProperties(doc);
  body.replaceChildren();
  let target = null;
  for (const section of doc.sections || []) {
    const block = el('section', 'doc-section');
    const heading = el('h3', '', section.heading_path || '');
    if (section.page > 0) heading.append(el('span', 'page', ' · ' + pageLabel(doc.path, section.page)));
    block.append(heading, el('p', 'doc-text', section.text || ''));
    const matches = section.heading_path === citation.heading_path &&
      (!(citation.page > 0) || section.page === citation.page);
    if (matches && !target) {
      target = block;
      block.classList.add('cited');
    }
    body.append(block);
  }
  if (target) target.scrollIntoView({ block: 'start' });
}

// A presentation's "page" is its slide (the parsers number slides in show order).
function pageLabel(path, page) {
  return /\.(pptx|odp)$/i.test(path || '') ? t('slide', { page }) : t('page', { page });
}

// Author and the metadata an e-mail or Office file carries (sender, recipients, dates).
const DOCUMENT_PROPERTIES = [['author', 'propAuthor'], ['from', 'propFrom'], ['to', 'propTo'],
  ['cc', 'propCc'], ['date', 'propDate'], ['created', 'propCreated'], ['modified', 'propModified']];

function showDocumentProperties(doc) {
  const list = $('doc-properties');
  list.replaceChildren();
  const values = Object.assign({}, doc.metadata || {}, doc.author ? { author: doc.author } : {});
  // An e-mail's author is its sender, already shown as "from".
  if (values.from && values.author === values.from) delete values.author;
  for (const [key, label] of DOCUMENT_PROPERTIES) {
    if (values[key]) list.append(el('dt', '', t(label)), el('dd', '', values[key]));
  }
  list.hidden = list.childElementCount === 0;
}

function closeDocument() {
  $('doc-view').hidden = true;
  if (state.returnFocus && document.contains(state.returnFocus)) state.returnFocus.focus();
  state.returnFocus = null;
}

// ---- admin --------------------------------------------------------------------------------

function cells(row, values) {
  for (const value of values) row.append(el('td', '', value == null ? '' : String(value)));
}

function when(seconds) {
  if (!seconds) return '–';
  const date = typeof seconds === 'number' ? new Date(seconds * 1000) : new Date(seconds);
  return Number.isNaN(date.getTime()) ? String(seconds) : date.toLocaleString(language());
}

function statsText(stats) {
  if (!stats || typeof stats !== 'object') return stats == null ? '' : String(stats);
  return Object.entries(stats).map(([k, v]) => k + ': ' + (typeof v === 'object' ? JSON.stringify(v) : v)).join(', ');
}

async function loadAdmin() {
  let sources, runs;
  try {
    [sources, runs] = await Promise.all([call('GET', '/api/v1/sources'), call('GET', '/api/v1/crawl/runs')]);
  } catch (e) { handleError(e); return; }
  const index = sources.index || {};
  $('index-info').textContent = t('indexInfo', {
    generation: index.generation ?? 0, vectors: index.vectors ?? 0, lexical: index.lexical_chunks ?? 0,
  });
  $('crawl-status').textContent = sources.crawl_running || runs.running ? t('crawlRunning') : '';
  const sourceBody = $('sources-table').tBodies[0];
  sourceBody.replaceChildren();
  for (const s of sources.sources || []) {
    const row = el('tr');
    cells(row, [s.name, s.kind, s.documents, s.chunks]);
    sourceBody.append(row);
  }
  const runBody = $('runs-table').tBodies[0];
  runBody.replaceChildren();
  for (const r of (runs.runs || []).slice(0, 10)) {
    const row = el('tr');
    cells(row, [when(r.started_at), when(r.finished_at), r.status, statsText(r.stats)]);
    runBody.append(row);
  }
}

async function showAdmin() {
  showOnly('admin-view');
  renderMe();
  await loadAdmin();
  $('admin-close').focus();
}

async function crawlNow() {
  try {
    await call('POST', '/api/v1/crawl', {});
    $('crawl-status').textContent = t('crawlStarted');
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) $('crawl-status').textContent = t('crawlConflict');
    else { handleError(e); return; }
  }
  setTimeout(loadAdmin, 1500);
}

// ---- wiring -------------------------------------------------------------------------------

function updateLanguageSwitch() {
  const button = $('lang-switch');
  button.textContent = t('switchTo');
  button.lang = t('switchLang');
}

function bind() {
  $('login-form').addEventListener('submit', login);
  $('logout').addEventListener('click', logout);
  $('ask-form').addEventListener('submit', ask);
  $('stop').addEventListener('click', stop);
  $('new-conversation').addEventListener('click', async () => {
    newConversation();
    clearNotice();
    await loadConversations();
    $('question').focus();
  });
  $('question').addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) ask(event);
  });
  $('doc-close').addEventListener('click', closeDocument);
  $('doc-view').addEventListener('keydown', (event) => {
    if (event.key === 'Escape') closeDocument();
  });
  $('admin-open').addEventListener('click', showAdmin);
  $('admin-close').addEventListener('click', showChat);
  $('crawl-now').addEventListener('click', crawlNow);
  $('lang-switch').addEventListener('click', () => {
    setLanguage(t('switchLang'));
    updateLanguageSwitch();
    if (state.me) renderMe();
    const welcomeText = document.querySelector('.welcome');
    if (welcomeText) welcomeText.textContent = t('welcome');
  });
}

async function start() {
  applyLanguage();
  updateLanguageSwitch();
  bind();
  try {
    state.me = await call('GET', '/api/v1/me');
    setCsrfToken(state.me.csrf_token);
    await showChat();
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showLogin('');
    else { showLogin(''); handleError(e); }
  }
}

start();

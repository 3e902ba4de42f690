// UI strings in German and English. The language comes from the browser (navigator.language)
// unless the user picked one with the switch (kept in localStorage).
const STRINGS = {
  de: {
    skip: 'Zur Frage springen', admin: 'Verwaltung', logout: 'Abmelden',
    loginTitle: 'Anmelden', loginHint: 'Antworten aus den Dokumenten Ihres Unternehmens.',
    username: 'Benutzername', password: 'Passwort', loginButton: 'Anmelden',
    loginFailed: 'Benutzername oder Passwort ist falsch.',
    newConversation: 'Neue Unterhaltung', history: 'Unterhaltungen',
    noConversations: 'Noch keine Unterhaltungen.', chatTitle: 'Chat',
    welcome: 'Stellen Sie eine Frage zu Ihren Dokumenten.',
    questionLabel: 'Ihre Frage',
    questionPlaceholder: 'Ihre Frage (Enter sendet, Umschalt+Enter für eine neue Zeile)',
    send: 'Senden', stop: 'Stopp', close: 'Schließen', original: 'Original öffnen',
    originalPage: 'Original öffnen (Seite {page})',
    propAuthor: 'Autor', propFrom: 'Von', propTo: 'An', propCc: 'Kopie', propDate: 'Datum',
    propCreated: 'Erstellt', propModified: 'Geändert',
    backToChat: 'Zurück zum Chat', indexTitle: 'Index', crawlNow: 'Jetzt crawlen',
    sources: 'Quellen', runs: 'Letzte Crawls', colName: 'Name', colKind: 'Art',
    colDocuments: 'Dokumente', colChunks: 'Abschnitte', colStarted: 'Gestartet',
    colFinished: 'Beendet', colStatus: 'Status', colStats: 'Statistik',
    indexInfo: 'Generation {generation} · {vectors} Vektoren · {lexical} Abschnitte im Volltextindex',
    crawlRunning: 'Ein Crawl läuft gerade.', crawlStarted: 'Crawl gestartet.',
    crawlConflict: 'Es läuft bereits ein Crawl.',
    you: 'Sie', assistant: 'Wissen', thinking: 'Suche in Ihren Dokumenten …',
    generatorLabel: 'Generator: {name}', modelLabel: 'Modell: {name}',
    sourcesLabel: 'Quellen', page: 'S. {page}', slide: 'Folie {page}',
    noAnswer: 'Dazu habe ich in Ihren Dokumenten nichts gefunden.',
    noAnswerNote: 'Keine passende Stelle in Ihren Dokumenten.',
    relatedLabel: 'Am nächsten kommen diese Dokumente:',
    fallback: 'Das Sprachmodell war nicht verfügbar; die Antwort wurde direkt aus den Dokumenten zusammengestellt.',
    stopped: 'Antwort abgebrochen.',
    helpful: 'Hilfreich', notHelpful: 'Nicht hilfreich',
    commentLabel: 'Kommentar (optional)', sendComment: 'Kommentar senden',
    feedbackThanks: 'Danke für Ihr Feedback.',
    deleteConversation: 'Unterhaltung löschen: {title}', delete: 'Löschen',
    sessionExpired: 'Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.',
    rateLimited: 'Zu viele Anfragen. Bitte versuchen Sie es in {seconds} Sekunden erneut.',
    rateLimitedNoWait: 'Zu viele Anfragen. Bitte versuchen Sie es gleich noch einmal.',
    unavailable: 'Der Server ist gerade nicht erreichbar oder ausgelastet. Bitte versuchen Sie es später erneut.',
    failed: 'Das hat nicht geklappt: {message}',
    loading: 'Lädt …', docNotFound: 'Dieses Dokument ist nicht (mehr) verfügbar.',
    switchTo: 'English', switchLang: 'en',
  },
  en: {
    skip: 'Skip to the question', admin: 'Admin', logout: 'Log out',
    loginTitle: 'Log in', loginHint: "Answers from your company's documents.",
    username: 'User name', password: 'Password', loginButton: 'Log in',
    loginFailed: 'User name or password is wrong.',
    newConversation: 'New conversation', history: 'Conversations',
    noConversations: 'No conversations yet.', chatTitle: 'Chat',
    welcome: 'Ask a question about your documents.',
    questionLabel: 'Your question',
    questionPlaceholder: 'Your question (Enter sends, Shift+Enter for a new line)',
    send: 'Send', stop: 'Stop', close: 'Close', original: 'Open original',
    originalPage: 'Open original (page {page})',
    propAuthor: 'Author', propFrom: 'From', propTo: 'To', propCc: 'Cc', propDate: 'Date',
    propCreated: 'Created', propModified: 'Modified',
    backToChat: 'Back to chat', indexTitle: 'Index', crawlNow: 'Crawl now',
    sources: 'Sources', runs: 'Last crawls', colName: 'Name', colKind: 'Kind',
    colDocuments: 'Documents', colChunks: 'Chunks', colStarted: 'Started',
    colFinished: 'Finished', colStatus: 'Status', colStats: 'Statistics',
    indexInfo: 'Generation {generation} · {vectors} vectors · {lexical} chunks in the full-text index',
    crawlRunning: 'A crawl is running.', crawlStarted: 'Crawl started.',
    crawlConflict: 'A crawl is already running.',
    you: 'You', assistant: 'Wissen', thinking: 'Searching your documents …',
    generatorLabel: 'Generator: {name}', modelLabel: 'Model: {name}',
    sourcesLabel: 'Sources', page: 'p. {page}', slide: 'slide {page}',
    noAnswer: 'I found nothing about this in your documents.',
    noAnswerNote: 'No matching passage in your documents.',
    relatedLabel: 'The closest documents you may read:',
    fallback: 'The language model was unavailable; the answer was assembled directly from the documents.',
    stopped: 'Answer stopped.',
    helpful: 'Helpful', notHelpful: 'Not helpful',
    commentLabel: 'Comment (optional)', sendComment: 'Send comment',
    feedbackThanks: 'Thank you for your feedback.',
    deleteConversation: 'Delete conversation: {title}', delete: 'Delete',
    sessionExpired: 'Your session has expired. Please log in again.',
    rateLimited: 'Too many requests. Please try again in {seconds} seconds.',
    rateLimitedNoWait: 'Too many requests. Please try again shortly.',
    unavailable: 'The server is unreachable or busy right now. Please try again later.',
    failed: 'That did not work: {message}',
    loading: 'Loading …', docNotFound: 'This document is not (or no longer) available.',
    switchTo: 'Deutsch', switchLang: 'de',
  },
};

function initialLanguage() {
  const saved = localStorage.getItem('wissen.lang');
  if (saved === 'de' || saved === 'en') return saved;
  return (navigator.language || 'de').toLowerCase().startsWith('de') ? 'de' : 'en';
}

let lang = initialLanguage();

export function language() { return lang; }

// The string for `key` with {name} placeholders filled from `vars`.
export function t(key, vars = {}) {
  const text = STRINGS[lang][key] ?? STRINGS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ''));
}

// Writes the strings into every element marked with data-i18n / data-i18n-placeholder.
export function applyLanguage(root = document) {
  document.documentElement.lang = lang;
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-placeholder]')) {
    el.placeholder = t(el.dataset.i18nPlaceholder);
  }
}

export function setLanguage(next) {
  lang = next === 'en' ? 'en' : 'de';
  localStorage.setItem('wissen.lang', lang);
  applyLanguage();
}

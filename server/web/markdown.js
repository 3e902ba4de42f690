// A small, safe Markdown subset for model output: paragraphs, lists, `code`, **bold**,
// *italic* and [n] citation markers. Builds DOM nodes with createElement/textContent only;
// everything else (HTML tags included) stays literal text. [n] becomes a link only when the
// answer has a citation with id n.

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const INLINE = /(`[^`\n]+`)|(\*\*[^*\n]+?\*\*)|(\*[^*\s][^*\n]*?\*)|(\[(\d{1,3})\])/g;

// Appends the inline content of `text` to `parent`.
function inline(parent, text, cite) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) parent.append(text.slice(last, m.index));
    if (m[1]) parent.append(el('code', '', m[1].slice(1, -1)));
    else if (m[2]) parent.append(el('strong', '', m[2].slice(2, -2)));
    else if (m[3]) parent.append(el('em', '', m[3].slice(1, -1)));
    else parent.append(cite(Number(m[5])) || m[4]);
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(text.slice(last));
}

// Replaces the children of `container` with `text` rendered as Markdown. `cite(n)` returns a
// link node for citation n, or null when the answer has no such citation.
export function renderMarkdown(container, text, cite = () => null) {
  container.replaceChildren();
  let paragraph = null;
  let list = null;
  const close = () => { paragraph = null; list = null; };
  for (const raw of String(text).split('\n')) {
    const line = raw.trimEnd();
    const bullet = /^\s*[-*•]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d{1,3}[.)]\s+(.*)$/.exec(line);
    if (!line.trim()) { close(); continue; }
    if (bullet || numbered) {
      const tag = bullet ? 'ul' : 'ol';
      if (!list || list.tagName.toLowerCase() !== tag) {
        paragraph = null;
        list = el(tag);
        container.append(list);
      }
      const item = el('li');
      inline(item, (bullet || numbered)[1], cite);
      list.append(item);
      continue;
    }
    list = null;
    if (paragraph) paragraph.append(el('br'));
    else { paragraph = el('p'); container.append(paragraph); }
    inline(paragraph, line, cite);
  }
}

export { el };

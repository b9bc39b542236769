// Canonical offsets of the article text shown in the workspace.
//
// The server wraps each block's text in `.block-text[data-start][data-end]` (its offsets in the
// revision's canonical text). Inside, every character of a text node is one canonical character,
// except the screen-reader labels of highlights (`.visually-hidden`), which are skipped. Blocks are
// joined by SEPARATOR in the canonical text (archive.blocks.BLOCK_SEPARATOR).

export const SEPARATOR = "\n\n";
const SKIP = ".visually-hidden";

export function blockElements(root) {
  return [...root.querySelectorAll(".block-text")];
}

function countedNodes(block) {
  const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, {
    acceptNode: (node) => (node.parentElement.closest(SKIP) ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
  });
  const nodes = [];
  while (walker.nextNode()) nodes.push(walker.currentNode);
  return nodes;
}

// The number of counted characters between the start of `block` and the point (node, offset).
function charsBefore(block, node, offset) {
  const range = document.createRange();
  range.setStart(block, 0);
  range.setEnd(node, offset);
  let count = 0;
  for (const text of countedNodes(block)) {
    if (text === node) return count + offset;
    if (!range.intersectsNode(text)) break;
    count += text.length;
  }
  return count;
}

// Where a DOM point lies relative to a block: -1 before it, 0 inside, 1 after.
function compare(block, node, offset) {
  const range = document.createRange();
  range.selectNodeContents(block);
  return range.comparePoint(node, offset);
}

// The canonical [start, end) of a DOM range within `root`, or null when it covers no text.
// A boundary outside every block (a block's label, the gap between blocks) snaps to the nearest text.
export function spanOfRange(root, range) {
  let start = null;
  let end = null;
  for (const block of blockElements(root)) {
    const base = Number(block.dataset.start);
    if (start === null) {
      const where = compare(block, range.startContainer, range.startOffset);
      if (where < 0) start = base;
      else if (where === 0) start = base + charsBefore(block, range.startContainer, range.startOffset);
    }
    const where = compare(block, range.endContainer, range.endOffset);
    if (where > 0) end = Number(block.dataset.end);
    else if (where === 0) end = base + charsBefore(block, range.endContainer, range.endOffset);
  }
  return start !== null && end !== null && end > start ? { start, end } : null;
}

// The canonical text as far as the page shows it (every block is shown in the workspace).
export function canonicalText(root) {
  let text = "";
  for (const block of blockElements(root)) {
    const start = Number(block.dataset.start);
    if (start > text.length) text += start - text.length === SEPARATOR.length ? SEPARATOR : " ".repeat(start - text.length);
    text += countedNodes(block).map((node) => node.data).join("");
  }
  return text;
}

// A span with the whitespace at its ends left out, its exact quote, and which occurrence of the quote it is.
export function passage(text, start, end) {
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  if (end <= start) return null;
  const quote = text.slice(start, end);
  let occurrence = 1;
  for (let at = text.indexOf(quote); at >= 0 && at < start; at = text.indexOf(quote, at + 1)) occurrence += 1;
  return { start, end, quote, occurrence };
}

// The span of the n-th occurrence (1 = first) of `quote` in `text`, or null.
export function findQuote(text, quote, occurrence = 1) {
  let at = -1;
  for (let n = 0; n < Math.max(1, occurrence); n += 1) {
    at = text.indexOf(quote, at + 1);
    if (at < 0 || !quote) return null;
  }
  return { start: at, end: at + quote.length };
}

// A DOM range over the canonical span [start, end), for scrolling and placing things near it.
export function rangeOfSpan(root, start, end) {
  const range = document.createRange();
  let started = false;
  for (const block of blockElements(root)) {
    let offset = Number(block.dataset.start);
    for (const node of countedNodes(block)) {
      const next = offset + node.length;
      if (!started && start >= offset && start <= next) {
        range.setStart(node, start - offset);
        started = true;
      }
      if (started && end >= offset && end <= next) {
        range.setEnd(node, end - offset);
        return range;
      }
      offset = next;
    }
  }
  return started ? range : null;
}

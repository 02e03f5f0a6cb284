// Measures what a reader of the current page would trip over, apart from diagrams, for the
// book's site test (tests/tests/site.rs). It runs as a WebDriver script, so this file is a
// function body whose `return` is the result:
//
//   { viewport,
//     wide: [{ tag, text, scrollWidth, clientWidth }],
//     outside: [{ tag, text, right }],
//     blocks: [{ language, known, tokens, text }],
//     strayRows: [text] }
//
// `wide`: each listing (`pre`) and table that scrolls sideways inside the page's column, with
// its widest line (a table: its widest row). The element that scrolls is the `pre`, its
// `code` (mdBook's highlight CSS gives code blocks `overflow-x: auto`) or the `.table-wrapper`
// mdBook puts around tables, so all of them are measured.
// `outside`: the outermost elements of the page's text that reach past the right edge of the
// window (the page itself would scroll sideways, or clip them, as body hides overflow).
// `blocks`: each code block's language, whether the page's highlight.js knows it, and how many
// highlighted tokens it holds.
// `strayRows`: paragraphs that read as Markdown table rows (`| a | b |`): a blank line inside a
// table ends it, and the rows after it are printed as text.

const main = document.querySelector('main');
const report = {
    viewport: document.documentElement.clientWidth,
    wide: [],
    outside: [],
    blocks: [],
    strayRows: [],
};
if (!main) {
    return report;
}

function widest(lines) {
    return lines.reduce((best, line) => (line.length > best.length ? line : best), '').trim();
}

function overflows(element) {
    return element !== null && element.scrollWidth > element.clientWidth;
}

for (const pre of main.querySelectorAll('pre')) {
    const code = pre.querySelector(':scope > code');
    const scroller = [pre, code].find(overflows);
    if (scroller) {
        const text = (code || pre).innerText;
        report.wide.push({
            tag: 'pre',
            text: widest(text.split('\n')),
            scrollWidth: scroller.scrollWidth,
            clientWidth: scroller.clientWidth,
        });
    }
}

for (const table of main.querySelectorAll('table')) {
    const wrapper = table.parentElement.classList.contains('table-wrapper')
        ? table.parentElement
        : null;
    const scroller = [table, wrapper].find(overflows);
    if (scroller) {
        const rows = Array.from(table.rows).map((row) => row.innerText.replace(/\s+/g, ' '));
        report.wide.push({
            tag: 'table',
            text: widest(rows),
            scrollWidth: scroller.scrollWidth,
            clientWidth: scroller.clientWidth,
        });
    }
}

// Elements inside something that scrolls on its own (a listing, a table's wrapper, a demo's
// table) or inside a drawing are measured above or scale with their container; skip them.
const contained = new Map();
function isContained(element) {
    const parent = element.parentElement;
    if (parent === main || parent === null) {
        return false;
    }
    if (!contained.has(parent)) {
        const scrolls = getComputedStyle(parent).overflowX !== 'visible';
        contained.set(parent, scrolls || parent.tagName.toLowerCase() === 'svg' ||
            isContained(parent));
    }
    return contained.get(parent);
}
const edge = window.innerWidth;
for (const element of main.querySelectorAll('*')) {
    if (isContained(element)) {
        continue;
    }
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.right <= edge + 1) {
        continue;
    }
    // Report the outermost offender only: its children overflow because it does.
    const parent = element.parentElement;
    if (parent !== main && parent.getBoundingClientRect().right > edge + 1) {
        continue;
    }
    report.outside.push({
        tag: element.tagName.toLowerCase() +
            (element.getAttribute('class') ? '.' + element.getAttribute('class') : ''),
        text: (element.innerText || element.textContent || '').trim().split('\n')[0].slice(0, 80),
        right: Math.round(box.right),
    });
}

for (const code of main.querySelectorAll('pre > code')) {
    const match = /\blang(?:uage)?-([\w-]+)\b/.exec(code.className);
    if (!match) {
        continue;
    }
    report.blocks.push({
        language: match[1],
        known: typeof hljs !== 'undefined' && Boolean(hljs.getLanguage(match[1])),
        tokens: code.querySelectorAll('[class^="hljs-"], [class*=" hljs-"]').length,
        text: widest(code.innerText.split('\n').slice(0, 1)),
    });
}

for (const paragraph of main.querySelectorAll('p')) {
    const text = paragraph.innerText.trim();
    if (text.startsWith('|') && text.endsWith('|') && text.split('|').length > 3) {
        report.strayRows.push(text.slice(0, 80));
    }
}

return report;

// Measures the mermaid diagrams of the current page for the book's site test
// (tests/tests/site.rs). It runs as a WebDriver script, so this file is a function body whose
// `return` is the result:
//
//   { blocks, rendered, failures: [text],
//     samples: [{ kind, diagram, element, colours, background, drawn }] }
//
// A sample pairs colours as the reader sees them (opacity already applied) with what is
// painted behind them, found with document.elementsFromPoint, so it holds for any diagram
// type: a label over its node, an edge label over its label box, a gantt bar's text over the
// bar, a line over the page or a cluster. Colours are [r, g, b], 0-255; `drawn` holds the
// element's own CSS colours before blending, to tell whether a redraw changed them. The Rust
// side computes the WCAG contrast ratios and judges them.

const blocks = Array.from(document.querySelectorAll('pre.mermaid'));
const report = { blocks: blocks.length, rendered: 0, failures: [], samples: [] };

// Painted shapes that can sit behind a label or a line.
const SHAPES = new Set(['rect', 'circle', 'ellipse', 'polygon', 'path', 'polyline']);
// Lines that carry meaning: flowchart edges, sequence messages and lifelines, loop frames,
// state transitions, class relations.
const LINES = [
    'path.flowchart-link',
    '.messageLine0',
    '.messageLine1',
    '.actor-line',
    '.loopLine',
    'path.transition',
    'path.relation',
].join(', ');
// Boxes that must stand out from the page, by their fill or by their outline.
const BOXES = 'g.node, g.cluster, rect.actor, rect.note, rect.task';

function parseColour(css) {
    const match = /^rgba?\(([^)]*)\)$/.exec((css || '').trim());
    if (!match) {
        return null; // none, transparent keywords, gradients: not a flat colour
    }
    const parts = match[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    if (parts.length < 3 || parts.some(Number.isNaN)) {
        return null;
    }
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
}

// The product of `opacity` from the element up to <html>.
function opacityOf(element) {
    let opacity = 1;
    for (let e = element; e && e.nodeType === Node.ELEMENT_NODE; e = e.parentElement) {
        opacity *= parseFloat(getComputedStyle(e).opacity);
    }
    return opacity;
}

// What an element paints as a background: an SVG shape's fill or an HTML box's
// background colour, as [r, g, b, alpha]; null if nothing.
function backgroundPaint(element) {
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden' || style.display === 'none') {
        return null;
    }
    let colour;
    let alpha;
    if (element instanceof SVGElement) {
        if (!SHAPES.has(element.localName)) {
            return null;
        }
        colour = parseColour(style.fill);
        if (!colour) {
            return null;
        }
        alpha = colour[3] * parseFloat(style.fillOpacity);
    } else {
        colour = parseColour(style.backgroundColor);
        if (!colour) {
            return null;
        }
        alpha = colour[3];
    }
    alpha *= opacityOf(element);
    return alpha > 0 ? [colour[0], colour[1], colour[2], alpha] : null;
}

function over(top, bottom) {
    return [0, 1, 2].map((i) => top[i] * top[3] + bottom[i] * (1 - top[3]));
}

// The opaque colour behind the point (x, y) in the viewport. With `self`, only what is
// painted under `self` counts (its own HTML background included, its descendants not).
function backdrop(x, y, self) {
    const stack = document.elementsFromPoint(x, y);
    const start = self ? Math.max(0, stack.indexOf(self)) : 0;
    const layers = [];
    for (const element of stack.slice(start)) {
        if (self && element !== self && self.contains(element)) {
            continue;
        }
        const paint = backgroundPaint(element);
        if (!paint) {
            continue;
        }
        layers.push(paint);
        if (paint[3] >= 0.999) {
            break;
        }
    }
    // The browser's canvas under everything is white.
    return layers.reverse().reduce((below, layer) => over(layer, below), [255, 255, 255]);
}

function describe(element, text) {
    const owner = element.closest('[class]') || element;
    const classes = (owner.getAttribute('class') || '').trim().split(/\s+/).filter(Boolean);
    const name = owner.localName + classes.map((c) => '.' + c).join('');
    return text ? `${name} "${text.slice(0, 60)}"` : name;
}

function visible(element) {
    const style = getComputedStyle(element);
    const box = element.getBoundingClientRect();
    return style.display !== 'none' && style.visibility !== 'hidden' && box.width > 0 && box.height > 0;
}

function ownText(element) {
    return Array.from(element.childNodes)
        .filter((node) => node.nodeType === Node.TEXT_NODE)
        .map((node) => node.textContent)
        .join('')
        .trim();
}

function centreOf(element) {
    element.scrollIntoView({ block: 'center', inline: 'center' });
    const box = element.getBoundingClientRect();
    return [box.left + box.width / 2, box.top + box.height / 2];
}

function measureText(svg, diagram) {
    for (const element of svg.querySelectorAll('*')) {
        if (element.closest('style, defs, marker, title, desc')) {
            continue;
        }
        const text = ownText(element);
        if (!text || !visible(element)) {
            continue;
        }
        const style = getComputedStyle(element);
        const svgText = element instanceof SVGElement;
        const colour = parseColour(svgText ? style.fill : style.color);
        if (!colour) {
            report.failures.push(`diagram ${diagram}: ${describe(element, text)} has no flat text colour (${svgText ? style.fill : style.color})`);
            continue;
        }
        const alpha = colour[3] * (svgText ? parseFloat(style.fillOpacity) : 1) * opacityOf(element);
        const [x, y] = centreOf(element);
        let background = backdrop(x, y, element);
        // Sequence numbers sit on a disc drawn as an SVG marker, which hit-testing cannot see.
        const disc = element.matches('text.sequenceNumber')
            && svg.querySelector('marker[id$="sequencenumber"] circle');
        if (disc) {
            const discPaint = backgroundPaint(disc);
            if (discPaint) {
                background = over(discPaint, background);
            }
        }
        report.samples.push({
            kind: 'text',
            diagram,
            element: describe(element, text),
            colours: [over([colour[0], colour[1], colour[2], alpha], background)],
            background,
            drawn: [svgText ? style.fill : style.color],
        });
    }
}

function measureLines(svg, diagram) {
    for (const line of svg.querySelectorAll(LINES)) {
        if (!visible(line)) {
            continue;
        }
        const style = getComputedStyle(line);
        const colour = parseColour(style.stroke);
        if (!colour) {
            continue;
        }
        const alpha = colour[3] * parseFloat(style.strokeOpacity) * opacityOf(line);
        line.scrollIntoView({ block: 'center', inline: 'center' });
        let point;
        if (line.localName === 'line') {
            point = new DOMPoint(
                (line.x1.baseVal.value + line.x2.baseVal.value) / 2,
                (line.y1.baseVal.value + line.y2.baseVal.value) / 2,
            );
        } else {
            point = line.getPointAtLength(line.getTotalLength() / 2);
        }
        const onScreen = new DOMPoint(point.x, point.y).matrixTransform(line.getScreenCTM());
        const background = backdrop(onScreen.x, onScreen.y, line);
        report.samples.push({
            kind: 'line',
            diagram,
            element: describe(line),
            colours: [over([colour[0], colour[1], colour[2], alpha], background)],
            background,
            drawn: [style.stroke],
        });
    }
}

function measureBoxes(svg, diagram) {
    for (const box of svg.querySelectorAll(BOXES)) {
        // The shapes that draw the box itself, not its label.
        const shapes = (SHAPES.has(box.localName) ? [box] : Array.from(box.querySelectorAll('*')))
            .filter((e) => SHAPES.has(e.localName) && !e.closest('.label, foreignObject, text'));
        if (shapes.length === 0 || !visible(box)) {
            continue;
        }
        box.scrollIntoView({ block: 'center', inline: 'center' });
        const bounds = box.getBoundingClientRect();
        // Just outside the top-left corner: the page (or cluster) the box stands on. Edges
        // meet boxes mid-side, so a corner avoids them.
        const background = backdrop(bounds.left - 3, bounds.top - 3, null);
        const colours = [];
        const drawn = [];
        for (const shape of shapes) {
            const style = getComputedStyle(shape);
            drawn.push(style.fill, style.stroke);
            const fill = parseColour(style.fill);
            if (fill) {
                const alpha = fill[3] * parseFloat(style.fillOpacity) * opacityOf(shape);
                colours.push(over([fill[0], fill[1], fill[2], alpha], background));
            }
            const stroke = parseColour(style.stroke);
            if (stroke && parseFloat(style.strokeWidth) > 0) {
                const alpha = stroke[3] * parseFloat(style.strokeOpacity) * opacityOf(shape);
                colours.push(over([stroke[0], stroke[1], stroke[2], alpha], background));
            }
        }
        if (colours.length > 0) {
            report.samples.push({ kind: 'outline', diagram, element: describe(box), colours, background, drawn });
        }
    }
}

blocks.forEach((block, index) => {
    const diagram = index + 1;
    const svg = block.querySelector(':scope > svg');
    if (!svg) {
        report.failures.push(`diagram ${diagram}: no <svg> (mermaid did not render it)`);
        return;
    }
    if (svg.getAttribute('aria-roledescription') === 'error') {
        report.failures.push(`diagram ${diagram}: mermaid drew its "syntax error" picture instead`);
        return;
    }
    report.rendered += 1;
    measureText(svg, diagram);
    measureLines(svg, diagram);
    measureBoxes(svg, diagram);
});
window.scrollTo(0, 0);
return report;

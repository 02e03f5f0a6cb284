// Renders the book's ```mermaid blocks in the colours of the mdBook theme the reader chose.
//
// Mermaid's own themes are made for a white page: on coal, navy and ayu its labels and lines
// nearly vanish. So the diagrams use mermaid's `base` theme with every colour taken from the
// page's CSS variables (--bg, --fg, --quote-bg, --links, ...), and each text or line colour is
// nudged until it meets the WCAG contrast ratio against what it is drawn on (4.5:1 for text,
// 3:1 for lines and box outlines). The book's site test measures the rendered result.
//
// When the reader switches theme, the diagrams are drawn again from their source; no reload.
// When a pass is finished, <html data-mermaid-theme="navy"> (or whichever theme) says so,
// which lets the site test wait for it.
(() => {
    'use strict';

    const THEMES = ['light', 'rust', 'coal', 'navy', 'ayu'];
    const TEXT_CONTRAST = 5; // WCAG asks 4.5; a little margin survives anti-aliasing
    const LINE_CONTRAST = 3.2; // WCAG asks 3 for graphical objects

    const html = document.documentElement;
    const blocks = Array.from(document.querySelectorAll('pre.mermaid'));
    // Mermaid replaces each block's text with an <svg>; keep the source to draw it again.
    const sources = blocks.map((block) => block.textContent);

    // --- colours -------------------------------------------------------------------------

    // Theme variables may be written as hsl(), names or hex; a canvas normalises any CSS
    // colour to #rrggbb, which is what mermaid's colour maths expects.
    const canvas = document.createElement('canvas').getContext('2d');
    function toRgb(cssColour, fallback) {
        canvas.fillStyle = '#000000';
        canvas.fillStyle = cssColour;
        const hex = canvas.fillStyle;
        if (!/^#[0-9a-f]{6}$/i.test(hex) || cssColour.trim() === '') {
            return fallback;
        }
        return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    }
    function hex(rgb) {
        return '#' + rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('');
    }
    function mix(a, b, amountOfB) {
        return a.map((c, i) => c + (b[i] - c) * amountOfB);
    }
    function luminance(rgb) {
        const [r, g, b] = rgb.map((c) => {
            const s = c / 255;
            return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    }
    function contrast(a, b) {
        const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
        return (hi + 0.05) / (lo + 0.05);
    }
    // Moves `colour` towards black or white (whichever the backgrounds leave more room for)
    // until it has at least `ratio` against every one of `backgrounds`.
    function readable(colour, backgrounds, ratio) {
        const worst = (c) => Math.min(...backgrounds.map((bg) => contrast(c, bg)));
        if (worst(colour) >= ratio) {
            return colour;
        }
        const meanLuminance =
            backgrounds.reduce((sum, bg) => sum + luminance(bg), 0) / backgrounds.length;
        const target = meanLuminance > 0.18 ? [0, 0, 0] : [255, 255, 255];
        for (let step = 1; step <= 20; step++) {
            const candidate = mix(colour, target, step / 20);
            if (worst(candidate) >= ratio) {
                return candidate;
            }
        }
        return target;
    }

    function currentTheme() {
        return THEMES.find((theme) => html.classList.contains(theme)) || 'light';
    }

    function palette() {
        const style = getComputedStyle(html);
        const v = (name, fallback) => toRgb(style.getPropertyValue(name), fallback);
        const bg = v('--bg', [255, 255, 255]);
        const dark = luminance(bg) < 0.2;
        const fgRaw = v('--fg', dark ? [220, 220, 220] : [0, 0, 0]);
        const accent = readable(v('--links', [32, 96, 159]), [bg], LINE_CONTRAST);
        const caution = v('--blockquote-caution-color', [200, 30, 40]);
        const tip = v('--blockquote-tip-color', [0, 128, 0]);
        const important = v('--blockquote-important-color', [130, 80, 220]);
        const warning = v('--blockquote-warning-color', [160, 100, 0]);
        const note = v('--blockquote-note-color', [10, 100, 220]);

        // Boxes are a shade off the page (the colour mdBook gives block quotes), outlined in
        // the link colour; clusters (subgraphs) are a fainter shade.
        const box = v('--quote-bg', mix(bg, fgRaw, 0.06));
        const cluster = v('--table-alternate-bg', mix(bg, fgRaw, 0.04));
        const noteBox = mix(bg, warning, dark ? 0.22 : 0.16);
        // Lines also carry sequence numbers (drawn in bg on a line-coloured disc): text contrast.
        const line = readable(mix(bg, fgRaw, 0.8), [bg, cluster], TEXT_CONTRAST);

        // Gantt bars: tinted by state; one text colour has to read on all of them.
        const task = mix(bg, accent, dark ? 0.45 : 0.3);
        const activeTask = mix(bg, accent, dark ? 0.25 : 0.15);
        const doneTask = mix(bg, fgRaw, dark ? 0.28 : 0.22);
        const critTask = mix(bg, caution, dark ? 0.4 : 0.25);
        const bars = [task, activeTask, doneTask, critTask];

        // A schedule puts bars end to end: each outline must also stand out from a
        // neighbouring bar, not only from the page.
        const barBorder = readable(accent, [bg, ...bars], LINE_CONTRAST);
        const doneBorder = readable(mix(bg, fgRaw, 0.5), [bg, ...bars], LINE_CONTRAST);
        const critBorder = readable(caution, [bg, ...bars], LINE_CONTRAST);

        // Gantt section bands: mermaid paints them at 20% opacity.
        const bands = [mix(bg, accent, 0.2), mix(bg, tip, 0.2)];
        const text = readable(fgRaw, [bg, box, cluster, ...bands], TEXT_CONTRAST);
        const barText = readable(fgRaw, bars, TEXT_CONTRAST);
        // A label too long for its bar is drawn to the right of it, where it may run over
        // the next bar or a section band.
        const outsideText = readable(text, [bg, ...bands, ...bars], TEXT_CONTRAST);
        const noteText = readable(fgRaw, [noteBox], TEXT_CONTRAST);
        const border = readable(accent, [bg, cluster], LINE_CONTRAST);
        const clusterBorder = readable(mix(bg, fgRaw, 0.5), [bg], LINE_CONTRAST);

        const accents = [accent, tip, warning, important, caution, note];
        const slices = accents.map((c) => mix(bg, c, dark ? 0.5 : 0.4));
        const sliceText = readable(fgRaw, slices, TEXT_CONTRAST);

        const vars = {
            darkMode: dark,
            background: bg,
            fontFamily: getComputedStyle(document.body).fontFamily,
            fontSize: '15px',

            primaryColor: box,
            primaryTextColor: text,
            primaryBorderColor: border,
            secondaryColor: cluster,
            secondaryTextColor: text,
            secondaryBorderColor: clusterBorder,
            tertiaryColor: cluster,
            tertiaryTextColor: text,
            tertiaryBorderColor: clusterBorder,
            textColor: text,
            titleColor: text,
            lineColor: line,
            arrowheadColor: line,

            // Flowcharts and state diagrams.
            mainBkg: box,
            nodeBkg: box,
            nodeBorder: border,
            nodeTextColor: text,
            clusterBkg: cluster,
            clusterBorder: clusterBorder,
            defaultLinkColor: line,
            edgeLabelBackground: bg,

            // Sequence diagrams.
            actorBkg: box,
            actorBorder: border,
            actorTextColor: text,
            actorLineColor: clusterBorder,
            signalColor: line,
            signalTextColor: text,
            labelBoxBkgColor: box,
            labelBoxBorderColor: border,
            labelTextColor: text,
            loopTextColor: text,
            noteBkgColor: noteBox,
            noteBorderColor: readable(warning, [bg], LINE_CONTRAST),
            noteTextColor: noteText,
            activationBkgColor: cluster,
            activationBorderColor: clusterBorder,
            sequenceNumberColor: bg,

            // Gantt charts (the book draws measured schedules with them).
            sectionBkgColor: accent,
            sectionBkgColor2: tip,
            altSectionBkgColor: bg,
            excludeBkgColor: mix(bg, fgRaw, 0.08),
            taskBkgColor: task,
            taskBorderColor: barBorder,
            taskTextColor: barText,
            taskTextLightColor: barText,
            taskTextDarkColor: barText,
            taskTextOutsideColor: outsideText,
            taskTextClickableColor: readable(accent, [bg], TEXT_CONTRAST),
            activeTaskBkgColor: activeTask,
            activeTaskBorderColor: barBorder,
            doneTaskBkgColor: doneTask,
            doneTaskBorderColor: doneBorder,
            critBkgColor: critTask,
            critBorderColor: critBorder,
            gridColor: mix(bg, fgRaw, 0.3),
            todayLineColor: readable(caution, [bg], LINE_CONTRAST),

            // Pie charts: slices are tints of the theme's accents, opaque, so that the
            // percentages printed on them read in the text colour.
            ...Object.fromEntries(slices.map((slice, i) => [`pie${i + 1}`, slice])),
            pieOpacity: '1',
            pieSectionTextColor: sliceText,
            pieTitleTextColor: text,
            pieLegendTextColor: text,
            pieStrokeColor: bg,
            pieStrokeWidth: '2px',
            pieOuterStrokeColor: clusterBorder,

            // xy charts (measured results).
            xyChart: {
                backgroundColor: bg,
                titleColor: text,
                xAxisLabelColor: text,
                xAxisTitleColor: text,
                xAxisTickColor: line,
                xAxisLineColor: line,
                yAxisLabelColor: text,
                yAxisTitleColor: text,
                yAxisTickColor: line,
                yAxisLineColor: line,
                plotColorPalette: accents
                    .map((c) => hex(readable(c, [bg], LINE_CONTRAST)))
                    .join(','),
            },
        };
        // Mermaid's theme engine reads hex strings only (nested ones too, as in xyChart).
        const toHex = (object) => {
            for (const [key, value] of Object.entries(object)) {
                if (Array.isArray(value)) {
                    object[key] = hex(value);
                } else if (value && typeof value === 'object') {
                    toHex(value);
                }
            }
        };
        toHex(vars);
        return vars;
    }

    // --- rendering -----------------------------------------------------------------------

    // A diagram is drawn for the column it sits in. On a phone that column is narrower than
    // most diagrams, and shrinking one to fit would take its labels below reading size, so
    // theme/book.css keeps each at least 70% of its drawn width (--natural-width, set below)
    // and lets its block scroll sideways. Schedules are drawn to the column's width, which
    // on a phone crowds their labels onto their bars: they are drawn no narrower than this.
    const SCHEDULE_MIN_WIDTH = 720;

    function rememberNaturalWidths() {
        for (const svg of document.querySelectorAll('pre.mermaid > svg')) {
            const width = svg.viewBox.baseVal ? svg.viewBox.baseVal.width : 0;
            if (width > 0) {
                svg.style.setProperty('--natural-width', `${Math.round(width)}px`);
            }
        }
    }

    let renderedTheme = null;
    let queue = Promise.resolve();

    function render() {
        const theme = currentTheme();
        if (theme === renderedTheme) {
            return;
        }
        renderedTheme = theme;
        queue = queue.then(async () => {
            blocks.forEach((block, i) => {
                block.removeAttribute('data-processed');
                block.textContent = sources[i];
            });
            mermaid.initialize({
                startOnLoad: false,
                theme: 'base',
                themeVariables: palette(),
                // Schedules: mermaid's 11px bars are hard to read at the book's text size,
                // and its 75px margin cuts section names like "One after another" short.
                gantt: {
                    fontSize: 13,
                    sectionFontSize: 13,
                    barHeight: 24,
                    barGap: 6,
                    leftPadding: 150,
                    useWidth: Math.max(
                        blocks.length > 0 ? blocks[0].clientWidth : 0,
                        SCHEDULE_MIN_WIDTH,
                    ),
                },
            });
            try {
                if (blocks.length > 0) {
                    await mermaid.run({ nodes: blocks });
                    rememberNaturalWidths();
                }
            } catch (error) {
                // One string, so that the whole message reaches any console log reader.
                const message = error && error.message ? error.message : String(error);
                console.error(`A mermaid diagram on this page failed to render: ${message}`);
            } finally {
                html.dataset.mermaidTheme = theme;
            }
        });
    }

    // book.js switches themes by swapping a class on <html> (from the theme menu, or when the
    // system's light/dark preference changes under the "Auto" theme).
    new MutationObserver(render).observe(html, { attributes: true, attributeFilter: ['class'] });
    render();
})();

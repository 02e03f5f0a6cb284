// Be the scheduler: draws every `<div class="stepper" data-puzzle="ID">` on
// the page as a puzzle the reader steps thread by thread. The puzzles, the
// machine that runs them and the enumerator of their outcomes are Rust
// (listings/scheduler-stepper), compiled to wasm/scheduler_stepper.wasm by
// `cargo xtask build`; this script only draws what the module returns.
//
// The module exchanges text through its memory: `input(len)` gives room for
// a puzzle's id, `view` and `outcomes` leave JSON behind `output_ptr()`.
// What the page shows is also left in data-* attributes, which the book's
// browser test reads (tests/tests/browser_stepper.rs).

import { fetchModule } from '../wasm-modules.js';

const HERE = new URL('./', import.meta.url);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const MODELS = {
  interleaving: 'interleavings: every load reads the newest store ' +
    '(sequential consistency)',
  views: 'release/acquire views: a load may read any store its thread has ' +
    'not been made to see past; no load reads a store made later ' +
    '(no load buffering), as in loom',
};

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    node.append(child);
  }
  return node;
}

class Module {
  constructor(exports) {
    this.wasm = exports;
  }

  output() {
    const { memory, output_ptr: ptr, output_len: len } = this.wasm;
    return decoder.decode(new Uint8Array(memory.buffer, ptr(), len()));
  }

  open(id) {
    const bytes = encoder.encode(id);
    const at = this.wasm.input(bytes.length);
    new Uint8Array(this.wasm.memory.buffer, at, bytes.length).set(bytes);
    const handle = this.wasm.open();
    if (handle < 0) throw new Error(this.output());
    return handle;
  }

  view(handle) {
    this.wasm.view(handle);
    return JSON.parse(this.output());
  }

  outcomes(handle) {
    this.wasm.outcomes(handle);
    return JSON.parse(this.output());
  }

  step(handle, thread, choice) {
    if (this.wasm.step(handle, thread, choice) !== 0) {
      throw new Error(this.output());
    }
  }
}

class Puzzle {
  constructor(module, root) {
    this.module = module;
    this.root = root;
    this.handle = module.open(root.dataset.puzzle);
    this.showOutcomes = false;
    this.render();
  }

  act(action) {
    // Drawing replaces the buttons; keep the keyboard where it was.
    const focused = this.root.contains(document.activeElement)
      ? document.activeElement.dataset.key
      : null;
    action();
    this.render();
    const again = focused &&
      this.root.querySelector(`[data-key="${focused}"]:not([disabled])`);
    const fallback = this.root.querySelector('.stepper-step:not([disabled])') ||
      this.root.querySelector('[data-key="restart"]');
    (again || fallback)?.focus();
  }

  render() {
    const view = this.module.view(this.handle);
    const id = view.id;
    const root = this.root;
    root.replaceChildren();
    root.dataset.moves = JSON.stringify(view.moves);
    root.dataset.outcome = view.outcome ?? '';
    root.dataset.reached = String(view.reached);
    root.setAttribute('role', 'group');
    root.setAttribute('aria-labelledby', `${id}-title`);

    root.append(
      element('p', { class: 'stepper-title', id: `${id}-title` },
        element('strong', {}, `Be the scheduler: ${view.title}`)),
      element('p', { class: 'stepper-goal' }, `Goal: ${view.goal}`),
    );

    const threads = element('div', { class: 'stepper-threads' });
    view.threads.forEach((thread, t) => threads.append(this.thread(view, thread, t)));
    root.append(threads, this.shared(view));

    const undo = element('button', {
      type: 'button', 'data-key': 'undo', disabled: view.moves.length === 0,
    }, 'Undo');
    undo.addEventListener('click', () => this.act(() => this.module.wasm.undo(this.handle)));
    const restart = element('button', {
      type: 'button', 'data-key': 'restart', disabled: view.moves.length === 0,
    }, 'Restart');
    restart.addEventListener('click',
      () => this.act(() => this.module.wasm.restart(this.handle)));
    const all = element('button', {
      type: 'button', 'data-key': 'outcomes', 'aria-expanded': String(this.showOutcomes),
      'aria-controls': `${id}-outcomes`,
    }, this.showOutcomes ? 'Hide all outcomes' : 'Show all outcomes');
    all.addEventListener('click', () => this.act(() => {
      this.showOutcomes = !this.showOutcomes;
    }));
    root.append(element('div', { class: 'stepper-controls' }, undo, restart, all));

    const schedule = view.moves.length ? view.moves.join(', ') : 'none yet';
    const status = element('div', { class: 'stepper-status', role: 'status' },
      element('p', {}, `Schedule so far: ${schedule}.`));
    if (view.outcome !== null) {
      const verdict = view.reached
        ? 'Goal reached.'
        : 'This run misses the goal: undo, or restart and try another order.';
      status.append(element('p', { class: view.reached ? 'stepper-reached' : '' },
        `Final state: ${view.outcome}. ${verdict}`));
    }
    root.append(status);
    if (this.showOutcomes) root.append(this.outcomes(id));
  }

  thread(view, thread, t) {
    const box = element('div', {
      class: 'stepper-thread', 'data-thread': thread.name, 'data-status': thread.status,
    });
    const state = { ready: 'ready', waiting: 'waiting', done: 'finished' }[thread.status];
    box.append(element('p', { class: 'stepper-thread-name' },
      element('strong', {}, thread.name), ` (${state})`));
    const code = element('code', {});
    thread.source.forEach((line, i) => {
      const current = i === thread.line;
      code.append(element('span', {
        class: current ? 'stepper-line stepper-current' : 'stepper-line',
        'aria-current': current ? 'step' : false,
      }, (current ? '▶ ' : '  ') + line), '\n');
    });
    box.append(element('pre', { class: 'stepper-source' }, code));
    if (thread.next) {
      box.append(element('p', { class: 'stepper-next' }, `Next: ${thread.next}`));
    }
    const buttons = element('div', { class: 'stepper-buttons' });
    const choices = thread.choices.length ? thread.choices : [''];
    choices.forEach((choice, c) => {
      const text = choice ? `${thread.name} ${choice}` : `Step ${thread.name}`;
      const label = `Step ${thread.name}: ${thread.next || 'finished'}` +
        (choice ? `, ${choice}` : '') + (thread.status === 'waiting' ? ' (waiting)' : '');
      const button = element('button', {
        type: 'button', class: 'stepper-step', 'data-key': `step-${t}-${c}`,
        'aria-label': label, disabled: thread.choices.length === 0,
      }, text);
      button.addEventListener('click',
        () => this.act(() => this.module.step(this.handle, t, c)));
      buttons.append(button);
    });
    box.append(buttons);
    const facts = element('ul', { class: 'stepper-facts' });
    for (const local of thread.locals) {
      const shown = local.value === null ? 'unset' : String(local.value);
      facts.append(element('li', {
        'data-local': `${thread.name}.${local.name}`, 'data-value': shown,
      }, element('code', {}, local.name), ` = ${shown}`));
    }
    if (thread.holds.length) {
      facts.append(element('li', {}, `holds ${thread.holds.join(', ')}`));
    }
    if (view.model === 'views') {
      // Only where the reader has a choice: one readable value is no news.
      for (const visible of thread.visible.filter((v) => v.values.length > 1)) {
        facts.append(element('li', { 'data-visible': `${thread.name}.${visible.name}` },
          'may read ', element('code', {}, visible.name), `: ${visible.values.join(' or ')}`));
      }
    }
    if (facts.childElementCount) box.append(facts);
    return box;
  }

  shared(view) {
    const list = element('ul', { class: 'stepper-facts' });
    for (const v of view.vars) {
      const stores = view.model === 'views' && v.history.length > 1
        ? ` (stores in order: ${v.history.join(', ')})`
        : '';
      list.append(element('li', { 'data-var': v.name, 'data-value': String(v.value) },
        element('code', {}, v.name), ` = ${v.value}${stores}`));
    }
    for (const lock of view.locks) {
      list.append(element('li', { 'data-lock': lock.name, 'data-holder': lock.holder ?? '' },
        'lock ', element('code', {}, lock.name),
        lock.holder ? `: held by ${lock.holder}` : ': free'));
    }
    for (const channel of view.channels) {
      list.append(element('li', {
        'data-channel': channel.name, 'data-queue': JSON.stringify(channel.queue),
      }, 'channel ', element('code', {}, channel.name),
      channel.queue.length ? `: holds ${channel.queue.join(', ')}` : ': empty'));
    }
    return element('div', { class: 'stepper-shared' },
      element('p', {}, element('strong', {}, 'Shared')), list);
  }

  outcomes(id) {
    const found = this.module.outcomes(this.handle);
    const reaching = found.outcomes.filter((o) => o.goal).length;
    const box = element('div', {
      class: 'stepper-outcomes', id: `${id}-outcomes`,
      'data-executions': String(found.executions),
    });
    box.append(element('p', {},
      `Every execution, under ${MODELS[found.model]}: ${found.executions} runs, ` +
      `${found.outcomes.length} distinct final states. ` +
      (found.possible
        ? `${reaching === 1 ? 'One of them reaches' : `${reaching} of them reach`} the goal.`
        : 'None reaches the goal: it is impossible.')));
    const list = element('ol', {});
    for (const outcome of found.outcomes) {
      list.append(element('li', {
        'data-outcome': outcome.outcome, 'data-goal': String(outcome.goal),
      }, element('code', {}, outcome.outcome),
      outcome.goal ? ' (the goal)' : '',
      `, for example: ${outcome.schedule.join(', ')}`));
    }
    box.append(list);
    return box;
  }
}

async function start() {
  const places = document.querySelectorAll('div.stepper[data-puzzle]');
  if (places.length === 0) return;
  const style = element('link', { rel: 'stylesheet', href: new URL('stepper.css', HERE).href });
  document.head.append(style);
  let module;
  try {
    const bytes = await fetchModule(new URL('wasm/', HERE), 'scheduler_stepper.wasm');
    const { instance } = await WebAssembly.instantiate(bytes);
    module = new Module(instance.exports);
  } catch (error) {
    for (const place of places) {
      place.textContent = `The puzzle could not start: ${error.message}`;
      place.dataset.state = error.missing ? 'missing' : 'error';
    }
    return;
  }
  for (const place of places) {
    try {
      new Puzzle(module, place);
      place.dataset.state = 'ready';
    } catch (error) {
      place.textContent = `The puzzle could not start: ${error.message}`;
      place.dataset.state = 'error';
    }
  }
}

// The print page holds every chapter: draw once the whole page is there.
if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', start);
} else {
  start();
}

// The emojivoto single-page UI. Written in TypeScript and served as plain
// JavaScript: web strips the types at startup (node:module's
// stripTypeScriptTypes), so this file must stay erasable syntax and import
// nothing. Routes: "/" (vote) and "/leaderboard", as in the original.

interface Emoji {
  shortcode: string;
  unicode: string;
}

interface LeaderboardEntry extends Emoji {
  votes: string;
}

type Child = Node | string;

const main = document.getElementById('main') as HTMLElement;

function h(tag: string, attributes: Record<string, string>, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...children);
  return element;
}

function link(href: string, text: string, className = 'button'): HTMLElement {
  const a = h('a', { href, class: className }, text);
  a.addEventListener('click', (event) => {
    event.preventDefault();
    navigate(href);
  });
  return a;
}

function show(...children: Child[]): void {
  main.replaceChildren(...children);
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

async function voteView(): Promise<void> {
  show(h('p', { class: 'loading' }, 'Loading emojis…'));
  const emojis = await getJson<Emoji[]>('/api/list');
  const grid = h('div', { class: 'emoji-grid', role: 'list' });
  for (const emoji of emojis) {
    const button = h(
      'button',
      { class: 'emoji', type: 'button', title: emoji.shortcode, 'aria-label': `Vote for ${emoji.shortcode}` },
      emoji.unicode,
    );
    button.addEventListener('click', () => void castVote(emoji));
    grid.append(button);
  }
  show(
    h('h1', {}, '🗳 Emoji Vote'),
    h('p', { class: 'lead' }, 'Tap to vote for your favourite emoji below'),
    link('/leaderboard', 'View the leaderboard', 'text-link'),
    grid,
  );
}

async function castVote(emoji: Emoji): Promise<void> {
  const response = await fetch(`/api/vote?choice=${encodeURIComponent(emoji.shortcode)}`);
  if (!response.ok) {
    errorView(emoji);
    return;
  }
  show(
    h('div', { class: 'big' }, emoji.unicode),
    h('h1', {}, 'Thanks for voting!'),
    h('p', { class: 'lead' }, `Your vote for ${emoji.shortcode} has been counted.`),
    h('div', { class: 'actions' }, link('/leaderboard', 'View the leaderboard'), link('/', 'Vote again')),
  );
}

// The original shows a "404" page with a construction sign for any failed
// vote (the real status is 500); workshops refer to it, so it stays.
function errorView(emoji: Emoji): void {
  const retry = h('button', { class: 'button', type: 'button' }, 'Select again');
  retry.addEventListener('click', () => void castVote(emoji));
  const doughnut =
    emoji.shortcode === ':doughnut:'
      ? [h('p', { class: 'lead' }, `Voting for ${emoji.unicode} always returns an error. Try another emoji.`)]
      : [];
  show(
    h(
      'section',
      { class: 'error-view', role: 'alert' },
      h('div', { class: 'big' }, '🚧'),
      h('h1', { class: 'error-code' }, '404'),
      h('p', { class: 'lead' }, 'We could not process your vote.'),
      ...doughnut,
      h('div', { class: 'actions' }, link('/', 'Pick another'), retry),
    ),
  );
}

async function leaderboardView(): Promise<void> {
  show(h('p', { class: 'loading' }, 'Loading the leaderboard…'));
  const entries = await getJson<LeaderboardEntry[]>('/api/leaderboard');
  const rows = entries.map((entry) =>
    h(
      'li',
      { class: 'leader', title: entry.shortcode },
      h('span', { class: 'emoji' }, entry.unicode),
      h('span', { class: 'votes' }, `${entry.votes} ${entry.votes === '1' ? 'vote' : 'votes'}`),
    ),
  );
  show(
    h('h1', {}, '🏆 Leaderboard'),
    link('/', 'Vote on your favourite', 'text-link'),
    rows.length === 0 ? h('p', { class: 'lead' }, 'No votes yet.') : h('ol', { class: 'leaderboard' }, ...rows),
  );
}

function render(): void {
  const view = location.pathname === '/leaderboard' ? leaderboardView : voteView;
  view().catch((error: unknown) => {
    show(h('section', { class: 'error-view', role: 'alert' }, h('h1', {}, 'Something went wrong'), String(error)));
  });
}

function navigate(path: string): void {
  history.pushState(null, '', path);
  render();
}

window.addEventListener('popstate', render);
render();

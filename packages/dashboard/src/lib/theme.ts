// Light and dark: the system's choice (prefers-color-scheme) until the user
// picks one with the toggle, which is remembered in this browser.

const KEY = 'weft-theme';

export function setUpTheme(button: HTMLButtonElement): void {
  const stored = localStorage.getItem(KEY);
  if (stored === 'light' || stored === 'dark') document.documentElement.dataset.theme = stored;
  const current = () =>
    document.documentElement.dataset.theme ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
  const label = () => button.setAttribute('aria-pressed', String(current() === 'dark'));
  label();
  button.addEventListener('click', () => {
    const next = current() === 'dark' ? 'light' : 'dark';
    document.documentElement.dataset.theme = next;
    localStorage.setItem(KEY, next);
    label();
  });
}

// The demo page: three views (volumes and metrics, training, speed) behind keyboard-usable tabs.
import { setupSpeed } from './speed.js';
import { setupTraining } from './training.js';
import { setupVolumes } from './volumes.js';

const VIEWS = ['volumes', 'training', 'speed'] as const;
type View = (typeof VIEWS)[number];

function show(view: View, focus = false): void {
  for (const v of VIEWS) {
    const tab = document.getElementById(`tab-${v}`) as HTMLButtonElement;
    const selected = v === view;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    (document.getElementById(`view-${v}`) as HTMLElement).hidden = !selected;
    if (selected && focus) tab.focus();
  }
  if (location.hash !== `#${view}`) history.replaceState(null, '', `#${view}`);
}

VIEWS.forEach((view, i) => {
  const tab = document.getElementById(`tab-${view}`) as HTMLButtonElement;
  tab.addEventListener('click', () => show(view));
  tab.addEventListener('keydown', (event) => {
    const next = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (next !== 0) show(VIEWS[(i + next + VIEWS.length) % VIEWS.length], true);
  });
});
setupVolumes();
setupTraining();
setupSpeed();
const initial = location.hash.slice(1) as View;
show(VIEWS.includes(initial) ? initial : 'volumes');

/**
 * Brings `element` into view inside its scrolling `pane` — and only the pane: selecting a
 * field must not move the page the learner is reading (Element.scrollIntoView scrolls every
 * scrolling ancestor, the page included).
 */
export function revealInPane(pane: HTMLElement, element: HTMLElement): void {
  const box = pane.getBoundingClientRect();
  const at = element.getBoundingClientRect();
  if (at.top >= box.top && at.bottom <= box.bottom) return;
  // A third of the way down: the lines before it stay in sight, for context.
  pane.scrollTop += at.top - box.top - box.height / 3;
}

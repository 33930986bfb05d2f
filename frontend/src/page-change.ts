// After moving to another page inside the app, screen readers hear the new
// page's title: the router marks that the page changed, the page's heading
// (`PageTitle`) reports its text once it is on screen (perhaps after
// loading), and the layout's live region speaks it.

let pending = false;
let speaker: ((text: string) => void) | null = null;

/** The path changed through in-app navigation (not the first load). */
export function markPageChange(): void {
  pending = true;
}

/** The new page's title is shown: spoken once, if the page just changed. */
export function announceTitle(title: string): void {
  if (!pending) return;
  pending = false;
  speaker?.(title);
}

/** Sets what speaks titles (the layout's live region); returns its removal. */
export function setSpeaker(speak: (text: string) => void): () => void {
  speaker = speak;
  return () => {
    if (speaker === speak) speaker = null;
  };
}

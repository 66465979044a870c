import type { AdaptiveCard } from './render.js';

// The hand-off between an `adaptiveCard/action` invoke and the core. While the invoke is open,
// the first card the core produces for the clicked message is handed to the invoke, which
// answers with it (the clicker sees it at once); the adapter also edits the message for
// everyone else. After the invoke is answered, updates only go through updateActivity.

export class InvokeHandoff {
  private readonly waiting = new Map<string, (card: AdaptiveCard) => void>();

  /** Wait for the core's card for `messageId`; `close` must be called when the invoke is answered. */
  open(messageId: string): { card: Promise<AdaptiveCard>; close: () => void } {
    let resolve!: (card: AdaptiveCard) => void;
    const card = new Promise<AdaptiveCard>((r) => (resolve = r));
    this.waiting.set(messageId, resolve);
    return {
      card,
      close: () => {
        if (this.waiting.get(messageId) === resolve) this.waiting.delete(messageId);
      },
    };
  }

  /** Give a card to a waiting invoke; true when one was waiting for this message. */
  offer(messageId: string, card: AdaptiveCard): boolean {
    const resolve = this.waiting.get(messageId);
    if (!resolve) return false;
    this.waiting.delete(messageId);
    resolve(card);
    return true;
  }
}

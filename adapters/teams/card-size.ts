// Teams measures a bot message as UTF-16 (two bytes per code unit) and refuses it above about
// 100 KB with 413 MessageSizeTooBig; Microsoft recommends staying within 80 KB, and older
// tenants documented 40 KB. We keep every activity within 60 KB measured the same way, which
// leaves room for the envelope Bot Framework adds (ids, from, recipient, channelData).

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

/** Budget for one whole outgoing activity, in UTF-16 bytes. */
export const MAX_ACTIVITY_BYTES = 60_000;

/** What Bot Framework adds around our attachment (ids, names, serviceUrl, channelData). */
export const ENVELOPE_ALLOWANCE_BYTES = 4_000;

export function utf16Bytes(value: unknown): number {
  return JSON.stringify(value).length * 2;
}

/** The message activity that carries one card, as the connector would serialise it. */
export function cardActivity(card: object): { type: 'message'; summary?: string; attachments: Array<{ contentType: string; content: object }> } {
  // The summary is what Teams shows in notifications and the activity feed instead of "Card".
  const summary = (card as { fallbackText?: unknown }).fallbackText;
  return { type: 'message', ...(typeof summary === 'string' ? { summary } : {}), attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }] };
}

/** Size of a card once wrapped in a message activity, plus the envelope allowance. */
export function cardMessageBytes(card: object): number {
  return utf16Bytes(cardActivity(card)) + ENVELOPE_ALLOWANCE_BYTES;
}

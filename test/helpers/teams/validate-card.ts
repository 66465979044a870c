import { createRequire } from 'node:module';

// Microsoft's `adaptivecards` renderer library used as the validator. Its ESM build imports
// files without extensions (Node refuses them), so we load its UMD bundle through require.
// Parsing and validating need no DOM; only rendering does, and we never render.

interface AcEvent { phase: number; event: number; message: string }
interface AcLib {
  AdaptiveCard: new () => { parse(json: unknown, ctx: unknown): void; validateProperties(): { validationEvents: AcEvent[] }; toJSON(ctx?: unknown): unknown };
  SerializationContext: new () => { eventCount: number; getEventAt(i: number): AcEvent };
  ValidationEvent: Record<number, string>;
}

const require = createRequire(import.meta.url);
const AC = require('adaptivecards/dist/adaptivecards.js') as AcLib;

// Properties the library does not model but Teams reads; dropping them on a round trip is expected.
const HOST_EXTENSIONS = new Set(['msteams']);

/** Keys of `given` that the parsed card no longer has: unknown or misspelt properties the parser ignored. */
function dropped(given: unknown, kept: unknown, path: string, out: string[]): string[] {
  if (Array.isArray(given)) given.forEach((g, i) => dropped(g, Array.isArray(kept) ? kept[i] : undefined, `${path}[${i}]`, out));
  else if (given && typeof given === 'object') {
    const k = (kept ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(given)) {
      if (HOST_EXTENSIONS.has(key)) continue;
      if (!(key in k)) out.push(`dropped: ${path}.${key} (unknown property, or a default value the renderer need not send)`);
      else dropped(value, k[key], `${path}.${key}`, out);
    }
  }
  return out;
}

/**
 * Every problem the adaptivecards library reports for a card: parse events, validation failures,
 * and properties its round trip drops (so a misspelt property cannot pass silently).
 */
export function cardProblems(card: unknown): string[] {
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  const problems: string[] = [];
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    problems.push(`parse: ${AC.ValidationEvent[e.event] ?? e.event}: ${e.message}`);
  }
  for (const e of ac.validateProperties().validationEvents) problems.push(`validate: ${AC.ValidationEvent[e.event] ?? e.event}: ${e.message}`);
  return dropped(card, ac.toJSON(), '', problems);
}

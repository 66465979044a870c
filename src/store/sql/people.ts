import type { Platform } from '../../kernel/platform.js';
import type { ConversationRef } from '../../kernel/refs.js';
import { conversationRefSchema } from '../../kernel/refs.js';
import { personKey, type IdentityKey, type IdentityLink } from '../store.js';
import type { Db } from './db.js';
import { fromJson, parseWith, toDate, type Row } from './rows.js';

// Where the bot can post (conversation references, needed for proactive Teams posts), and who
// is who across platforms (one person's Slack and Teams ids linked, so the two-person rule
// sees one person, not two).

export async function saveConversation(db: Db, ref: ConversationRef, now: Date): Promise<void> {
  await db.query(
    `INSERT INTO conversations (platform, channel_id, ref, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
     ON CONFLICT (platform, channel_id) DO UPDATE SET ref = excluded.ref, updated_at = excluded.updated_at`,
    [ref.platform, ref.channelId, JSON.stringify(ref), now],
  );
}

export async function getConversation(db: Db, platform: Platform, channelId: string): Promise<ConversationRef | null> {
  const r = await db.query('SELECT ref FROM conversations WHERE platform = $1 AND channel_id = $2', [platform, channelId]);
  return r.rows[0] ? toRef(db, r.rows[0]) : null;
}

export async function listConversations(db: Db, platform?: Platform): Promise<ConversationRef[]> {
  const r = platform
    ? await db.query('SELECT ref FROM conversations WHERE platform = $1 ORDER BY channel_id', [platform])
    : await db.query('SELECT ref FROM conversations ORDER BY platform, channel_id');
  return r.rows.map((row) => toRef(db, row));
}

/**
 * Both identities end up with one person id: a's existing person, else b's, else a's own key.
 * When both already belonged to different people, b's whole group joins a's.
 */
export async function linkIdentities(db: Db, a: IdentityKey, b: IdentityKey, linkedBy: string, now: Date): Promise<string> {
  return db.transaction(async (tx) => {
    const personFor = async (k: IdentityKey) =>
      (await tx.query<{ person_id: string }>('SELECT person_id FROM identity_links WHERE platform = $1 AND user_id = $2', [k.platform, k.userId])).rows[0]?.person_id;
    const pa = await personFor(a);
    const pb = await personFor(b);
    const person = pa ?? pb ?? personKey(a);
    if (pb !== undefined && pb !== person) await tx.query('UPDATE identity_links SET person_id = $1 WHERE person_id = $2', [person, pb]);
    for (const k of [a, b]) {
      await tx.query(
        `INSERT INTO identity_links (platform, user_id, person_id, linked_by, linked_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (platform, user_id) DO UPDATE SET person_id = excluded.person_id, linked_by = excluded.linked_by, linked_at = excluded.linked_at`,
        [k.platform, k.userId, person, linkedBy, now],
      );
    }
    return person;
  });
}

export async function personOf(db: Db, k: IdentityKey): Promise<string> {
  const r = await db.query<{ person_id: string }>('SELECT person_id FROM identity_links WHERE platform = $1 AND user_id = $2', [k.platform, k.userId]);
  return r.rows[0]?.person_id ?? personKey(k);
}

export async function identitiesOf(db: Db, personId: string): Promise<IdentityLink[]> {
  const r = await db.query('SELECT platform, user_id, person_id, linked_by, linked_at FROM identity_links WHERE person_id = $1 ORDER BY platform, user_id', [personId]);
  return r.rows.map((row) => ({
    platform: String(row.platform) as Platform,
    userId: String(row.user_id),
    personId: String(row.person_id),
    linkedBy: String(row.linked_by),
    linkedAt: toDate(row.linked_at),
  }));
}

/**
 * Removes one identity from its person. When the person id was that identity's own key, the
 * rest of the group is re-keyed, so the unlinked identity is nobody else's person any more.
 */
export async function unlinkIdentity(db: Db, k: IdentityKey): Promise<boolean> {
  return db.transaction(async (tx) => {
    const r = await tx.query<{ person_id: string }>('DELETE FROM identity_links WHERE platform = $1 AND user_id = $2 RETURNING person_id', [k.platform, k.userId]);
    const person = r.rows[0]?.person_id;
    if (person === undefined) return false;
    if (person === personKey(k)) {
      const rest = await tx.query<{ platform: Platform; user_id: string }>('SELECT platform, user_id FROM identity_links WHERE person_id = $1 ORDER BY platform, user_id LIMIT 1', [person]);
      const heir = rest.rows[0];
      if (heir) await tx.query('UPDATE identity_links SET person_id = $1 WHERE person_id = $2', [personKey({ platform: heir.platform, userId: heir.user_id }), person]);
    }
    return true;
  });
}

function toRef(db: Db, row: Row): ConversationRef {
  return parseWith(conversationRefSchema, fromJson(db.dialect, row.ref), 'conversation reference');
}

import { z } from 'zod';

// The chat platforms the bot speaks on, plus the CLI (which runs checks but posts nowhere).
// One list, so a new platform is added here and every schema that names platforms follows.
export const PLATFORMS = ['slack', 'teams', 'web', 'cli'] as const;
export type Platform = (typeof PLATFORMS)[number];
export const platformSchema = z.enum(PLATFORMS);

/** Platforms with a channel to post in: policy channel lists and schedule targets name only these. */
export const CHAT_PLATFORMS = ['slack', 'teams', 'web'] as const satisfies readonly Platform[];
export type ChatPlatform = (typeof CHAT_PLATFORMS)[number];
export const chatPlatformSchema = z.enum(CHAT_PLATFORMS);

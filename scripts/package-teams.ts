import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { zip } from './teams/zip.js';

// npm run package:teams → dist/triage-bot-teams.zip, the app package to sideload in Teams:
// manifest.json with {{TEAMS_APP_ID}} replaced, and the two icons. TEAMS_APP_ID comes from the
// environment or .env; it is the Microsoft App ID of the Azure Bot (a GUID).

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function buildTeamsPackage(root: string, appId: string | undefined): Buffer {
  if (!appId || !GUID.test(appId)) {
    throw new Error(`TEAMS_APP_ID must be the bot's Microsoft App ID (a GUID such as 00000000-0000-0000-0000-000000000000)${appId ? `, got "${appId}"` : ', and it is not set'}. Set it in .env or the environment.`);
  }
  const dir = path.join(root, 'manifests/teams');
  const template = readFileSync(path.join(dir, 'manifest.json'), 'utf8');
  const manifest = template.replaceAll('{{TEAMS_APP_ID}}', appId.toLowerCase());
  if (/\{\{[A-Z_]+\}\}/.test(manifest)) throw new Error('manifests/teams/manifest.json has a placeholder this script does not fill.');
  JSON.parse(manifest); // refuse to package a manifest that is not JSON
  return zip([
    { name: 'manifest.json', data: Buffer.from(manifest, 'utf8') },
    { name: 'color.png', data: readFileSync(path.join(dir, 'color.png')) },
    { name: 'outline.png', data: readFileSync(path.join(dir, 'outline.png')) },
  ]);
}

function main(): void {
  const root = process.cwd();
  dotenv.config({ path: path.join(root, '.env'), quiet: true });
  try {
    const pkg = buildTeamsPackage(root, process.env.TEAMS_APP_ID);
    mkdirSync(path.join(root, 'dist'), { recursive: true });
    const out = path.join(root, 'dist/triage-bot-teams.zip');
    writeFileSync(out, pkg);
    console.log(`wrote ${path.relative(root, out)} (${pkg.length} bytes): upload it in Teams → Apps → Manage your apps → Upload an app.`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();

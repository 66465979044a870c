import { writeFileSync } from 'node:fs';
import { colorIcon, outlineIcon } from './teams/icons.js';

// Regenerates manifests/teams/color.png and outline.png (committed). Run:
//   node bin/run-ts.mjs scripts/make-teams-icons.ts
writeFileSync('manifests/teams/color.png', colorIcon());
writeFileSync('manifests/teams/outline.png', outlineIcon());
console.log('wrote manifests/teams/color.png (192×192) and manifests/teams/outline.png (32×32)');

import { readFileSync, writeFileSync } from 'node:fs';
import { renderEnvExample, withConfigReference } from '../src/config/render-docs.js';
import { renderKubernetesConfig } from '../src/config/render-kubernetes.js';

// npm run docs:config — regenerates .env.example, the README's configuration reference and the
// Kubernetes ConfigMap/Secret template.
writeFileSync('.env.example', `${renderEnvExample()}\n`);
writeFileSync('README.md', withConfigReference(readFileSync('README.md', 'utf8')));
const k8s = renderKubernetesConfig();
writeFileSync('deploy/kubernetes/configmap.yaml', k8s.configMap);
writeFileSync('deploy/kubernetes/secret.example.yaml', k8s.secretExample);
console.log('wrote .env.example, the configuration reference in README.md and deploy/kubernetes/{configmap,secret.example}.yaml');

// The SBOM of what the package ships: `npm sbom` (CycloneDX) cut down to the packages
// the bundle inlines (dist/bundled-packages.json, from the bundler's metafile). They are
// devDependencies — nothing is installed with cleanroom, so a server installs it offline
// from the tarball alone — which is why npm cannot tell on its own what ships: the
// dependency graph is kept for those components. The root is named from package.json
// (npm names it after the checkout's folder). Written to dist/sbom.cdx.json, shipped in
// the npm package and on release tags; test/e2e/package checks it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
const out = execFileSync(
  npm[0],
  [...npm[1], 'sbom', '--sbom-format', 'cyclonedx', '--package-lock-only'],
  {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  },
);
const sbom = JSON.parse(out);
if (sbom.bomFormat !== 'CycloneDX') throw new Error('npm sbom did not produce CycloneDX');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const bundled = JSON.parse(readFileSync(join(root, 'dist', 'bundled-packages.json'), 'utf8'));
const key = (c) => `${c.group ? `${c.group}/` : ''}${c.name}@${c.version}`;
const wanted = new Set(bundled.map((b) => `${b.name}@${b.version}`));
sbom.components = sbom.components.filter((c) => wanted.has(key(c)));
const missing = [...wanted].filter((w) => !sbom.components.some((c) => key(c) === w));
if (missing.length) throw new Error(`sbom: npm sbom left out ${missing.join(', ')}`);
const refs = new Set(sbom.components.map((c) => c['bom-ref']));
const [scope, name] = pkg.name.split('/');
const rootRef = sbom.metadata.component['bom-ref'];
Object.assign(sbom.metadata.component, {
  group: scope,
  name,
  version: pkg.version,
  purl: `pkg:npm/${encodeURIComponent(scope)}/${name}@${pkg.version}`,
});
sbom.dependencies = (sbom.dependencies ?? [])
  .filter((d) => d.ref === rootRef || refs.has(d.ref))
  .map((d) => ({
    ...d,
    dependsOn: d.ref === rootRef ? [...refs] : (d.dependsOn ?? []).filter((r) => refs.has(r)),
  }));
for (const c of sbom.components) c.scope = 'required'; // inlined: present whenever cleanroom is
writeFileSync(join(root, 'dist', 'sbom.cdx.json'), JSON.stringify(sbom, null, 2) + '\n');

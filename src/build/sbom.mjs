// The SBOM of what the package ships: `npm sbom` (CycloneDX) over the production
// dependency tree, which is exactly what the bundle inlines (dependencies are bundled, and
// stay declared so that `npm audit` and licence scanners of dependents still see them).
// Written to dist/sbom.cdx.json, shipped in the npm package and on release tags.
//
// npm 11's `--omit dev` drops packages that dev dependencies also reach (yaml, picomatch
// here), and names the root after the checkout's folder: so the whole tree is asked for and
// cut down to the production closure walked from package-lock.json, and the root named
// from package.json. test/e2e/package checks it covers every package the bundle inlines.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
const out = execFileSync(npm[0], [...npm[1], 'sbom', '--sbom-format', 'cyclonedx', '--package-lock-only'], {
  cwd: root,
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  maxBuffer: 64 * 1024 * 1024,
});
const sbom = JSON.parse(out);
if (sbom.bomFormat !== 'CycloneDX') throw new Error('npm sbom did not produce CycloneDX');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const prod = new Set();
const walk = (deps) => {
  for (const name of Object.keys(deps ?? {})) {
    if (prod.has(name)) continue;
    const entry = lock.packages[`node_modules/${name}`];
    if (!entry) throw new Error(`sbom: ${name} is not in package-lock.json (nested versions are not handled)`);
    prod.add(name);
    walk(entry.dependencies);
  }
};
walk(pkg.dependencies);
sbom.components = sbom.components.filter((c) => prod.has(c.group ? `${c.group}/${c.name}` : c.name));
const missing = [...prod].filter((n) => !sbom.components.some((c) => (c.group ? `${c.group}/${c.name}` : c.name) === n));
if (missing.length) throw new Error(`sbom: npm sbom left out ${missing.join(', ')}`);
const refs = new Set(sbom.components.map((c) => c['bom-ref']));
const [scope, name] = pkg.name.split('/');
const rootRef = sbom.metadata.component['bom-ref'];
Object.assign(sbom.metadata.component, { group: scope, name, version: pkg.version, purl: `pkg:npm/${encodeURIComponent(scope)}/${name}@${pkg.version}` });
sbom.dependencies = (sbom.dependencies ?? [])
  .filter((d) => d.ref === rootRef || refs.has(d.ref))
  .map((d) => ({ ...d, dependsOn: (d.dependsOn ?? []).filter((r) => refs.has(r)) }));
writeFileSync(join(root, 'dist', 'sbom.cdx.json'), JSON.stringify(sbom, null, 2) + '\n');

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');

/** Which folders each layer may import from (besides itself and packages). */
const allowed: Record<string, string[]> = {
  'core/common': ['core/common'],
  'core/node': ['core/common', 'core/node'],
  'main/cli': ['core/common', 'core/node', 'main/cli', 'main/server'],
  'main/server': ['core/common', 'core/node', 'main/server'],
  'main/electron': ['core/common', 'core/node', 'main/electron', 'main/server', 'main/preload'],
  'main/preload': ['core/common', 'main/preload'],
  renderer: ['core/common', 'renderer'],
};

function sources(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(full);
    return /\.(ts|tsx)$/.test(e.name) && !e.name.endsWith('.test.ts') ? [full] : [];
  });
}

describe('layers import downward only', () => {
  for (const [layer, may] of Object.entries(allowed)) {
    it(`${layer} imports only ${may.join(', ')}`, () => {
      const violations: string[] = [];
      for (const file of sources(path.join(root, layer))) {
        const text = fs.readFileSync(file, 'utf8');
        for (const m of text.matchAll(/(?:from|import\()\s*['"](\.[^'"]+)['"]/g)) {
          const target = path.relative(root, path.resolve(path.dirname(file), m[1]!));
          if (!may.some((p) => target === p || target.startsWith(p + '/'))) violations.push(`${path.relative(root, file)} -> ${target}`);
        }
        if (layer.startsWith('core/common') && /from ['"]node:/.test(text)) violations.push(`${path.relative(root, file)} imports a Node module`);
        if (layer === 'core/common' || layer === 'core/node') {
          if (/from ['"]electron['"]/.test(text)) violations.push(`${path.relative(root, file)} imports electron`);
        }
      }
      expect(violations).toEqual([]);
    });
  }
});

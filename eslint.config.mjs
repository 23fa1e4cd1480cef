// ESLint (flat config): TypeScript rules, the layers' import boundaries, unused code as errors,
// and the rules of hooks in the renderer. `npm run lint` runs it with zero warnings allowed.
import path from 'node:path';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import globals from 'globals';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';
import { defineConfig } from 'eslint/config';

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/**
 * Which folders each layer may import from, besides packages (core/common <- core/node <- main;
 * renderer <- core/common). A layer is the longest folder here that holds the file.
 */
const LAYERS = {
  'core/common': ['core/common'],
  'core/node': ['core/common', 'core/node'],
  // A guest host loads only what runs a guest: never the service or the library (what both
  // need, such as the names of a VM's files, lives in core/node/shared).
  'core/node/guestHost': ['core/common', 'core/node/guestHost', 'core/node/shared', 'core/node/transport'],
  // The service speaks to guest hosts through the protocol, never through an engine's own code.
  'core/node/service': [
    'core/common',
    'core/node/service',
    'core/node/library',
    'core/node/host',
    'core/node/shared',
    'core/node/transport',
    'core/node/netSwitch',
    'core/node/media',
  ],
  // Installer media: what an ISO is (detect.ts), the OS catalogue's downloads; files and HTTP only.
  'core/node/media': ['core/common', 'core/node/media', 'core/node/shared'],
  // A private network's switch, a process of its own: its files and wire only.
  'core/node/netSwitch': ['core/common', 'core/node/netSwitch', 'core/node/shared', 'core/node/transport'],
  'main/cli': ['core/common', 'core/node', 'main/cli', 'main/server'],
  'main/server': ['core/common', 'core/node', 'main/server'],
  'main/electron': ['core/common', 'core/node', 'main/electron', 'main/server', 'main/preload'],
  'main/preload': ['core/common', 'main/preload'],
  renderer: ['core/common', 'renderer'],
};

const within = (rel, folder) => rel === folder || rel.startsWith(folder + '/');

/** The module a static import, export-from, `import()` or `require()` names, as a string literal node. */
function eachSpecifier(context, check) {
  const literal = (node) => (node && node.type === 'Literal' && typeof node.value === 'string' ? check(node) : undefined);
  return {
    ImportDeclaration: (node) => literal(node.source),
    ExportNamedDeclaration: (node) => literal(node.source),
    ExportAllDeclaration: (node) => literal(node.source),
    ImportExpression: (node) => literal(node.source),
    TSImportEqualsDeclaration: (node) => literal(node.moduleReference.expression),
    TSImportType: (node) => literal(node.argument?.literal ?? node.source),
    CallExpression: (node) => (node.callee.type === 'Identifier' && node.callee.name === 'require' ? literal(node.arguments[0]) : undefined),
  };
}

/** A relative import that leaves its layer for a folder the layer may not import from. */
const layersPlugin = {
  rules: {
    'imports-downward': {
      meta: { type: 'problem', schema: [], messages: { upward: '{{layer}} may import only from {{allowed}}; this reaches {{target}}.' } },
      create(context) {
        const file = path.relative(ROOT, context.filename).split(path.sep).join('/');
        const layer = Object.keys(LAYERS)
          .filter((l) => within(file, l))
          .sort((a, b) => b.length - a.length)[0];
        if (!layer) return {};
        return eachSpecifier(context, (node) => {
          if (!node.value.startsWith('.')) return;
          const target = path
            .relative(ROOT, path.resolve(path.dirname(context.filename), node.value))
            .split(path.sep)
            .join('/');
          if (!LAYERS[layer].some((allowed) => within(target, allowed))) {
            context.report({ node, messageId: 'upward', data: { layer, allowed: LAYERS[layer].join(', '), target } });
          }
        });
      },
    },
  },
};

// Node's built-in modules, bare ('fs', 'fs/promises') or with the node: prefix.
const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));
const NODE_MESSAGE = 'Node built-ins belong in core/node or main; this layer runs where Node may not.';
const builtinPattern = `^(node:.*|${nodeBuiltins.map((m) => m.replace(/[/]/g, '\\/')).join('|')})$`;

/** no-restricted-imports and no-restricted-syntax for one folder: flat config replaces a rule's options, so each folder gets the whole set. */
function restrictions({ node = false, electron = false, ws = false, ipc = false }) {
  const paths = [];
  const patterns = [];
  const syntax = [];
  if (node) {
    paths.push(...nodeBuiltins.map((name) => ({ name, message: NODE_MESSAGE })));
    patterns.push({ regex: '^node:', message: NODE_MESSAGE });
    syntax.push(
      { selector: `CallExpression[callee.name='require'][arguments.0.value=/${builtinPattern}/]`, message: NODE_MESSAGE },
      { selector: `ImportExpression[source.value=/${builtinPattern}/]`, message: NODE_MESSAGE },
    );
  }
  if (electron) {
    paths.push({ name: 'electron', message: 'Only main/electron and main/preload use Electron.' });
    syntax.push({
      selector: "CallExpression[callee.name='require'][arguments.0.value='electron']",
      message: 'Only main/electron and main/preload use Electron.',
    });
  }
  if (ws) paths.push({ name: 'ws', message: 'ws is a Node package: this layer runs where Node may not.' });
  if (ipc) {
    const message = 'Only the IPC wrappers (main/electron/ipc.ts, main/preload/preload.ts) touch ipcMain and ipcRenderer.';
    paths.push({ name: 'electron', importNames: ['ipcMain', 'ipcRenderer'], message });
    syntax.push({ selector: 'MemberExpression[property.name=/^ipc(Main|Renderer)$/]', message });
  }
  return {
    'no-restricted-imports': paths.length || patterns.length ? ['error', { paths, patterns }] : 'off',
    'no-restricted-syntax': syntax.length ? ['error', ...syntax] : 'off',
  };
}

export default defineConfig(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', 'build/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { layers: layersPlugin },
    rules: {
      'layers/imports-downward': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // `let x; const stop = () => x?.close(); x = open();`: a closure reads it before the one assignment.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true, destructuring: 'all' }],
      // The code's own idiom: `cond && act()` and `a ? f() : g()` as statements.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      // Input checks name the control characters they refuse (/[\x00-\x1f]/) on purpose.
      'no-control-regex': 'off',
      // A callback that v86 calls with a `this` of its own also needs the object's.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self', 'engine'] }],
      // v86 is ESM that Node >= 20.19 loads with require(), from CommonJS output (core/node/guestHost/v86/engine.ts).
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^v86$'] }],
    },
  },
  { files: ['**/*.mjs', '**/*.js'], languageOptions: { globals: { ...globals.node } } },
  // Playwright's fixtures: `async ({}, testInfo) =>` takes no fixture.
  { files: ['test/e2e/**'], rules: { 'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }] } },
  // Each folder's import boundaries (the last block that matches a file sets them).
  { files: ['core/common/**'], rules: restrictions({ node: true, electron: true, ws: true }) },
  { files: ['core/node/**'], rules: restrictions({ electron: true }) },
  { files: ['main/cli/**', 'main/server/**'], rules: restrictions({ electron: true }) },
  { files: ['main/electron/**', 'main/preload/**'], rules: restrictions({ ipc: true }) },
  { files: ['main/electron/ipc.ts', 'main/preload/preload.ts'], rules: restrictions({}) },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...restrictions({ node: true, electron: true, ws: true }),
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
);

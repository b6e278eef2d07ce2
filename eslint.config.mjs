// @ts-check
// Lint catches defects, not style (Prettier owns layout: .prettierrc.json). Three kinds of rule matter here:
// - promises: a forgotten `await` on a database write or a card send loses an acceptance or an incident;
// - cycles and layers: src/ keeps its folders in ranks (docs/architecture.md), features never import each
//   other, src/ never imports bot/, tab/ or bin/, and the tab reaches the server only through src/contract;
// - React hooks in the tab.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';

/** The folder ranks of src/ (docs/architecture.md "Layers"): a folder may import its own rank's base folders and lower ranks only. */
const RANKS = [
  ['errors', 'logging', 'report', 'contract'],
  ['config', 'storage', 'graph', 'cards', 'jobs'],
  ['school', 'exchange', 'auth', 'notify'],
  ['audit', 'aup', 'incidents', 'lessons'],
  ['governance'],
  ['server', 'demo-tenant'],
];
const rankOf = new Map(RANKS.flatMap((folders, rank) => folders.map((f) => [f, rank])));
const FEATURES = new Set(RANKS[3]);
const folders = [...rankOf.keys()];
/** Who each src/ folder may import: lower ranks, and its own rank's folders (features excepted: they never import each other). */
const allowedFrom = (folder) => {
  const rank = rankOf.get(folder) ?? 0;
  return folders.filter((other) => other === folder || (rankOf.get(other) ?? 0) < rank || (rankOf.get(other) === rank && !FEATURES.has(folder)));
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'tab/dist/**',
      'node_modules/**',
      'coverage/**',
      'data/**',
      'test/vendor/**',
      'devTools/**',
      'appPackage/build/**',
      'build/**',
      '**/*.js',
      '**/*.cjs',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-empty': ['error', { allowEmptyCatch: true }],
    },
  },
  // Promises: typed rules on the server side only (the tab's event handlers are checked by React's types).
  {
    files: ['src/**/*.ts', 'bot/**/*.ts', 'bin/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
  // Cycles between modules, and the folder layers of src/.
  {
    files: ['src/**/*.ts', 'bot/**/*.ts', 'bin/**/*.ts', 'tab/src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX, boundaries },
    settings: {
      // Without import-x's TypeScript parser settings, no-cycle cannot read the modules it follows and finds nothing.
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: ['tsconfig.json', 'tab/tsconfig.json'], noWarnOnMultipleProjects: true })],
      'import/resolver': { typescript: { project: ['tsconfig.json', 'tab/tsconfig.json'], noWarnOnMultipleProjects: true } },
      'import-x/resolver': undefined,
      'boundaries/include': ['src/**/*', 'bot/**/*', 'bin/**/*', 'tab/src/**/*'],
      'boundaries/files': [{ category: 'spec', pattern: '**/*.spec.ts' }],
      'boundaries/elements': [
        ...folders.map((folder) => ({ type: folder, pattern: `src/${folder}` })),
        { type: 'bot', pattern: 'bot' },
        { type: 'bin', pattern: 'bin' },
        { type: 'tab', pattern: 'tab/src' },
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: '{{ from.type }} may not import {{ to.type }}: src/ folders import only lower ranks (docs/architecture.md, Layers)',
          policies: [
            ...folders.map((folder) => ({ from: { element: { type: folder } }, allow: { to: { element: { types: { anyOf: allowedFrom(folder) } } } } })),
            { from: { element: { type: 'bot' } }, allow: { to: { element: { types: { anyOf: [...folders, 'bot'] } } } } },
            { from: { element: { type: 'bin' } }, allow: { to: { element: { types: { anyOf: [...folders, 'bot', 'bin'] } } } } },
            { from: { element: { type: 'tab' } }, allow: { to: { element: { types: { anyOf: ['tab', 'contract'] } } } } },
            // A spec may use the demo tenant and test support as its fixtures.
            { from: { file: { categories: 'spec' } }, allow: { to: { element: { types: { anyOf: [...folders, 'bot', 'bin'] } } } } },
          ],
        },
      ],
    },
  },
  {
    files: ['tab/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  // The CLI loads each command's modules lazily (botbuilder and restify only for the commands that serve), with require().
  { files: ['bin/esafety.ts'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  // Tests may use what tests need.
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);

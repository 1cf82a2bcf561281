// Lint rules that carry architecture: layers import downward only, and time comes only from the Clock.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

/** Layers from the bottom up; a layer may import only from layers listed before it. */
const layers = ['errors', 'runtime', 'ledger', 'durable', 'governors', 'cluster', 'service'];

const zones = layers.flatMap((layer, i) =>
  layers.slice(i + 1).map((higher) => ({
    target: `./src/${layer}`,
    from: `./src/${higher}`,
    message: `src/${layer} sits below src/${higher}: imports point downward only (see docs/architecture.md).`,
  })),
);

const timeMessage = 'Time comes only from the injected Clock (src/runtime/clock).';

export default tseslint.config(
  { ignores: ['node_modules/**', 'data/**', 'bench/results/**', 'bench/_*', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-restricted-paths': ['error', { zones }],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: timeMessage },
        { object: 'performance', property: 'now', message: timeMessage },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: timeMessage },
        { name: 'setInterval', message: timeMessage },
      ],
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: timeMessage },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: ['node:perf_hooks', 'perf_hooks', 'node:timers', 'timers'].map((name) => ({
            name,
            message: timeMessage,
          })),
        },
      ],
    },
  },
  {
    // The clock module is the one place that touches host time; benchmarks measure it directly.
    files: ['src/runtime/clock/**', 'bench/**'],
    rules: {
      'no-restricted-properties': 'off',
      'no-restricted-globals': 'off',
      'no-restricted-syntax': 'off',
      'no-restricted-imports': 'off',
    },
  },
);

/** Mechanical check of the layering: domain ← ports ← application ← adapters ← composition ← main. */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure',
      comment: 'The domain imports nothing outside itself: no node built-ins, no packages, no other layer.',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { pathNot: '^src/domain' },
    },
    {
      name: 'ports-see-only-domain',
      severity: 'error',
      from: { path: '^src/ports' },
      to: { pathNot: '^src/(domain|ports)' },
    },
    {
      name: 'application-has-no-adapters',
      comment: 'Orchestration uses ports, never an SDK or an adapter.',
      severity: 'error',
      from: { path: '^src/application' },
      to: { pathNot: '^src/(domain|ports|application)' },
    },
    // src/composition is the library's composition root (createProviderService, startService);
    // src/main.ts is the service's, built on it. Nothing below them may reach up.
    {
      name: 'adapters-do-not-compose',
      comment: 'Only the composition layer and main.ts wire adapters together.',
      severity: 'error',
      from: { path: '^src/adapters' },
      to: { path: '^src/(composition|main\\.ts)' },
    },
    {
      name: 'only-main-is-root',
      severity: 'error',
      from: { pathNot: '^src/main\\.ts$' },
      to: { path: '^src/main\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};

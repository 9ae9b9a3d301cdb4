/** Layer rules from STYLE.md, checked on every `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain/ is plain TypeScript: no Nest, TypeORM, pg or kafkajs.',
      severity: 'error',
      from: { path: '/domain/' },
      to: { path: 'node_modules/(@nestjs|typeorm|pg|kafkajs|fastify|class-validator|class-transformer)(/|$)' },
    },
    {
      name: 'domain-is-pure-through-re-exports',
      comment:
        'domain/ (and the alert sources\' translators, pure like it) reaches no Nest, TypeORM, pg or kafkajs module by any path: ' +
        'every import is followed, so a barrel (e.g. @fireline/event-store\'s index.ts) that re-exports the store does not hide it. ' +
        'Import pure library files directly (@fireline/event-store/event-id, …/decider).',
      severity: 'error',
      from: { path: '(/domain/|\\.translator\\.ts$)', pathNot: '\\.(spec|int-spec|e2e-spec)\\.ts$' },
      to: { path: 'node_modules/(@nestjs|typeorm|pg|pg-[a-z]+|kafkajs|fastify|class-validator|class-transformer)(/|$)', reachable: true },
    },
    {
      name: 'domain-does-not-reach-out',
      comment: 'domain/ does not import adapters (http, messaging, projections) of its own service.',
      severity: 'error',
      from: { path: '/domain/' },
      to: { path: '/(http|messaging|projections|channels|reactors|workflows)/' },
    },
    {
      name: 'contracts-stand-alone',
      comment: 'libs/contracts imports nothing internal and no framework.',
      severity: 'error',
      from: { path: '^libs/contracts/' },
      to: { path: '^(apps|libs/(?!contracts/))|node_modules/' },
    },
    {
      name: 'libs-do-not-import-apps',
      severity: 'error',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-do-not-import-apps',
      comment: 'Services share nothing but contracts; only the platform composition root composes them.',
      severity: 'error',
      from: { path: '^apps/([^/]+)/', pathNot: '^apps/platform/' },
      to: { path: '^apps/([^/]+)/', pathNot: '^apps/$1/' },
    },
    {
      name: 'production-does-not-import-tests',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: '\\.(spec|int-spec|e2e-spec)\\.ts$|/testing/' },
      to: { path: '^test/|\\.(spec|int-spec|e2e-spec)\\.ts$|/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^dist/' },
  },
};

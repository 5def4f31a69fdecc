import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The import direction of src/ and workers/ (issue 13 §2). A file imports from its own layer or
 * from the layers below it, never from a layer above; domain folders import each other without
 * cycles. Lowest first:
 *
 * - kernel: infrastructure every module may use (config, database and migrations, crypto,
 *   logging and metrics, queue names, the region catalog, policy evaluation, shared errors and ids).
 * - domains: one folder per CloudTrail concept, its services, entities, repositories and errors.
 * - composition: src/app/services.ts builds the domains into the Services of one process.
 * - graphql: schema build, the GraphQL context (which hands Services to resolvers), plugins.
 * - faces: what serves a domain to clients: resolvers, GraphQL types, mappers, operation
 *   declarations, HTTP handlers, the console, the AWS protocols (src/aws).
 * - app: the processes: HTTP server, boot, src/main.ts, the CLI, workers/.
 */
const LAYERS = ['kernel', 'domains', 'composition', 'graphql', 'faces', 'app'] as const;
type Layer = (typeof LAYERS)[number];

/** policies is the one authorization decision every layer above makes (and the caller carries its policies). */
const KERNEL_FOLDERS = ['common', 'crypto', 'db', 'jobs', 'observability', 'policies', 'regions'];
const DOMAIN_FOLDERS = [
  'accounts',
  'auth',
  'delivery',
  'events',
  'insights',
  'integrity',
  'kms',
  'lake',
  'organizations',
  'principals',
  'selectors',
  'storage',
  'streaming',
  'tagging',
  'trails',
];
/** Files in domain folders that serve the domain over HTTP rather than implement it. */
const HTTP_FACES = [
  'src/events/event-http.router.ts',
  'src/events/export.handler.ts',
  'src/events/http-auth.ts',
  'src/events/ingest.handler.ts',
  'src/streaming/live-stream.ts',
  'src/streaming/live-subscription.server.ts',
];

/** First match wins; a file no rule places fails the test, so a new folder must be given a layer. */
const PLACEMENT: Array<[RegExp, Layer]> = [
  [/^workers\//, 'app'],
  [/^src\/(main\.ts$|cli\/)/, 'app'],
  [/^src\/app\/services\.ts$/, 'composition'],
  [/^src\/app\//, 'app'],
  [/^src\/graphql\//, 'graphql'],
  [/^src\/console\//, 'faces'],
  // The AWS protocols face: SigV4, and each service's protocol translated into its GraphQL operations.
  [/^src\/aws\//, 'faces'],
  [/\.(resolver|types|mappers|operations)\.ts$/, 'faces'],
  [new RegExp(`^(${HTTP_FACES.map((f) => f.replace(/\./g, '\\.')).join('|')})$`), 'faces'],
  [/^src\/config\.ts$/, 'kernel'],
  [new RegExp(`^src/(${KERNEL_FOLDERS.join('|')})/`), 'kernel'],
  [new RegExp(`^src/(${DOMAIN_FOLDERS.join('|')})/`), 'domains'],
];

/** Registries list every module on purpose; they may import upward. */
const REGISTRIES = new Set(['src/db/entities.ts', 'src/graphql/resolvers.ts', 'src/graphql/operation-catalog.ts']);

/**
 * The Services type is what the composition root builds; the GraphQL context hands it to
 * resolvers. Everything else takes a small interface of what it uses.
 */
const COMPOSITION_ROOT = 'src/app/services.ts';
// The GraphQL context carries the services to resolvers; the resolver registry builds each resolver from them.
const MAY_IMPORT_COMPOSITION_ROOT = (file: string) =>
  layerOf(file) === 'app' || file === 'src/graphql/context.ts' || file === 'src/graphql/resolvers.ts';

const ROOT = path.resolve(__dirname, '../..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') ? [p] : [];
  });
}

function layerOf(file: string): Layer | undefined {
  return PLACEMENT.find(([pattern]) => pattern.test(file))?.[1];
}

/** The domain folder a file belongs to (src/lake/query/x.ts is in lake), if any. */
function domainOf(file: string): string | undefined {
  const folder = file.split('/')[1];
  return file.startsWith('src/') && DOMAIN_FOLDERS.includes(folder) ? folder : undefined;
}

/** Module specifiers of imports, re-exports, `import x = require()`, dynamic imports and requires. */
function moduleSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(path.join(ROOT, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (ts.isExternalModuleReference(node) && ts.isStringLiteral(node.expression)) {
      found.push(node.expression.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require')) &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The repository file a relative specifier names; packages (no leading dot) are not part of the graph. */
function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const target = [`${base}.ts`, `${base}/index.ts`, base].find((candidate) =>
    fs.statSync(path.join(ROOT, candidate), { throwIfNoEntry: false })?.isFile(),
  );
  if (!target) throw new Error(`${from}: cannot resolve '${specifier}'`);
  return target;
}

interface Edge {
  from: string;
  to: string;
}

const files = [...sourceFiles('src'), ...sourceFiles('workers')];
/** One edge per importing file and imported file, however many statements name it. */
const edges: Edge[] = files.flatMap((from) =>
  [...new Set(moduleSpecifiers(from).map((specifier) => resolveImport(from, specifier)))].flatMap((to) => (to ? [{ from, to }] : [])),
);
const label = (edge: Edge) => `${edge.from} -> ${edge.to}`;

/** Strongly connected components of size > 1 (Tarjan), each as its sorted members. */
function cycles(nodes: string[], next: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (stack.includes(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of nodes) if (!index.has(node)) connect(node);
  return found;
}

describe('import layers', () => {
  it('reads a graph of the whole tree', () => {
    expect(files.length).toBeGreaterThan(300);
    expect(edges.length).toBeGreaterThan(900);
  });

  it('places every file of src/ and workers/ in a layer', () => {
    expect(files.filter((file) => !layerOf(file))).toEqual([]);
  });

  it('never imports from a higher layer (registries excepted)', () => {
    const rank = (file: string) => LAYERS.indexOf(layerOf(file)!);
    const upward = edges.filter((edge) => !REGISTRIES.has(edge.from) && rank(edge.to) > rank(edge.from));
    expect(upward.map((edge) => `${label(edge)} (${layerOf(edge.from)} -> ${layerOf(edge.to)})`)).toEqual([]);
  });

  it(`imports ${COMPOSITION_ROOT} only from the processes and the GraphQL context`, () => {
    const importers = edges.filter((edge) => edge.to === COMPOSITION_ROOT && !MAY_IMPORT_COMPOSITION_ROOT(edge.from));
    expect(importers.map(label)).toEqual([]);
  });

  // Over the domains layer: the faces sit above every domain and may use each other's
  // (trails' selector operations name event data stores, the Lake's GraphQL types reuse trails').
  it('has no import cycle between domain folders', () => {
    const next = new Map<string, Set<string>>();
    const between = new Map<string, Edge[]>();
    for (const edge of edges) {
      const from = domainOf(edge.from);
      const to = domainOf(edge.to);
      if (!from || !to || from === to || layerOf(edge.from) !== 'domains' || layerOf(edge.to) !== 'domains') continue;
      next.set(from, (next.get(from) ?? new Set()).add(to));
      between.set(`${from} -> ${to}`, [...(between.get(`${from} -> ${to}`) ?? []), edge]);
    }
    const described = cycles(DOMAIN_FOLDERS, next).map((component) =>
      [...between]
        .filter(([pair]) => component.includes(pair.split(' -> ')[0]) && component.includes(pair.split(' -> ')[1]))
        .flatMap(([, pairEdges]) => pairEdges.map(label)),
    );
    expect(described).toEqual([]);
  });
});

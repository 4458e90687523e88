// No module of an engine imports, directly or through others, a module that
// imports it back: every relative import (types too) of packages/*/src is an
// edge, and the graph must have no cycle.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const PACKAGES = path.join(ROOT, 'packages');
/** `import … from './x.js'`, `export … from '../y/index.js'`, `import './z.js'`, over several lines. */
const RELATIVE_IMPORT =
  /^\s*(?:import|export)\s(?:[^;'"]*?\sfrom\s)?\s*['"](\.{1,2}\/[^'"]+)['"]/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The relative imports of a module's text, as the files they name. */
export function importsOf(file: string, text: string): string[] {
  return [...text.matchAll(RELATIVE_IMPORT)].map(([, specifier]) => {
    const target = path.resolve(path.dirname(file), specifier!);
    return target.endsWith('.js') ? `${target.slice(0, -3)}.ts` : target;
  });
}

/** Every cycle's modules (strongly connected components with an edge back), each sorted. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(node, Math.min(low.get(node)!, index.get(target)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node))
      found.push(component.sort());
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return found;
}

function packageGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const name of readdirSync(PACKAGES)) {
    const src = path.join(PACKAGES, name, 'src');
    if (!existsSync(src)) continue;
    for (const file of sourceFiles(src)) {
      const relative = (f: string) => path.relative(ROOT, f);
      graph.set(relative(file), importsOf(file, readFileSync(file, 'utf8')).map(relative));
    }
  }
  return graph;
}

test('no import cycle in packages/', () => {
  const graph = packageGraph();
  expect(graph.size).toBeGreaterThan(50);
  expect(cycles(graph).map((c) => `a cycle among ${c.join(', ')}`)).toEqual([]);
});

test('every relative import names a module that exists', () => {
  const missing = [...packageGraph()].flatMap(([file, targets]) =>
    targets.filter((t) => !existsSync(path.join(ROOT, t))).map((t) => `${file} imports ${t}`),
  );
  expect(missing).toEqual([]);
});

describe('the cycle finder', () => {
  test('reads value, type, re-export and multi-line imports', () => {
    const text = [
      "import { a } from './a.js';",
      "import type { B } from '../b.js';",
      "export { c } from './c/index.js';",
      'import {',
      '  d,',
      "} from './d.js';",
      "import './e.js';",
      "import { f } from 'f';",
      "const g = './g.js';",
    ].join('\n');
    expect(importsOf('/p/src/x.ts', text)).toEqual([
      '/p/src/a.ts',
      '/p/b.ts',
      '/p/src/c/index.ts',
      '/p/src/d.ts',
      '/p/src/e.ts',
    ]);
  });

  test('finds direct, longer and self cycles, and nothing in a tree', () => {
    const graph = new Map([
      ['sync', ['inputs', 'report', 'cloudfront']],
      ['inputs', ['sync']],
      ['report', ['types']],
      ['cloudfront', ['names']],
      ['names', ['cloudfront2']],
      ['cloudfront2', ['cloudfront']],
      ['types', []],
      ['self', ['self']],
    ]);
    expect(cycles(graph)).toEqual([
      ['cloudfront', 'cloudfront2', 'names'],
      ['inputs', 'sync'],
      ['self'],
    ]);
    expect(
      cycles(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toEqual([]);
  });
});

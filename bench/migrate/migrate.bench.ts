/**
 * The built-in migrator (packages/migrate) against node-pg-migrate on the same
 * PostgreSQL, in one process: applying N migrations to an empty database, and
 * a run with nothing pending. Both tools get the same SQL, a fresh database per
 * round, their default locking, and a transaction per migration (our only
 * mode; node-pg-migrate's `singleTransaction: false`). node-pg-migrate's
 * default, one transaction around the whole batch, is measured too.
 *
 * Besides time, each run counts its queries (each a round trip to the server),
 * which the machine's load does not change.
 *
 * Run: npm run bench -- bench/migrate
 * (BENCH_MIGRATE_COUNT, default 200, and BENCH_MIGRATE_ROUNDS, default 9;
 * BENCH_MIGRATE_RTT_MS, default 0, puts both tools behind a proxy that delays
 * each direction by half of it, as a database across a network would.)
 * The server is TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as connectTcp, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemoryLogger } from '@deploy-actions/action-kit/engine';
import { runMigrations } from '@deploy-actions/migrate';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { median, report, type Comparison } from '../support/report.js';

const SERVER = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MIGRATIONS = Number(process.env.BENCH_MIGRATE_COUNT ?? 200);
const ROUNDS = Number(process.env.BENCH_MIGRATE_ROUNDS ?? 9);
const RTT_MS = Number(process.env.BENCH_MIGRATE_RTT_MS ?? 0);

/** A TCP proxy to the server that holds every chunk rttMs / 2 in each direction, in order. */
async function latencyProxy(rttMs: number): Promise<{ port: number; close(): void }> {
  const target = new URL(SERVER);
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) => {
    from.on('data', (chunk) => setTimeout(() => to.write(chunk), rttMs / 2));
    from.on('end', () => setTimeout(() => to.end(), rttMs / 2));
    from.on('error', () => to.destroy());
    from.on('close', () => sockets.delete(from));
  };
  const server = createServer((client) => {
    const upstream = connectTcp(Number(target.port || 5432), target.hostname);
    // As pg and PostgreSQL do: no Nagle delay on small writes.
    for (const socket of [client, upstream]) sockets.add(socket.setNoDelay(true));
    relay(client, upstream);
    relay(upstream, client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

/** The URL the tools use: through the proxy when BENCH_MIGRATE_RTT_MS is set. */
let toolPort: number | undefined;
function viaProxy(url: string): string {
  if (toolPort === undefined) return url;
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(toolPort);
  return proxied.toString();
}

type Tool = 'deploy-actions' | 'node-pg-migrate' | 'node-pg-migrate (one transaction)';
const TOOLS: Tool[] = ['deploy-actions', 'node-pg-migrate', 'node-pg-migrate (one transaction)'];

/** The same three statements per migration for both tools: a table, an index, ten rows. */
function migrationSql(i: number): string {
  return [
    `CREATE TABLE bench_${i} (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
    `CREATE INDEX bench_${i}_name ON bench_${i} (name);`,
    `INSERT INTO bench_${i} (name) SELECT 'row ' || g FROM generate_series(1, 10) AS g;`,
    '',
  ].join('\n');
}

async function writeMigrations(root: string): Promise<{ ours: string; theirs: string }> {
  const ours = path.join(root, 'sql');
  const theirs = path.join(root, 'node-pg-migrate');
  await mkdir(ours, { recursive: true });
  await mkdir(theirs, { recursive: true });
  for (let i = 1; i <= MIGRATIONS; i++) {
    const sql = migrationSql(i);
    await writeFile(path.join(ours, `V${i}__bench_${i}.sql`), sql);
    // node-pg-migrate orders by the numeric prefix; SQL files carry Up/Down sections.
    await writeFile(
      path.join(theirs, `${1_700_000_000_000 + i}_bench-${i}.sql`),
      `-- Up Migration\n${sql}-- Down Migration\nDROP TABLE bench_${i};\n`,
    );
  }
  return { ours, theirs };
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function freshDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function countTables(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const result = await client.query<{ n: string }>(
      "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'bench\\_%'",
    );
    return Number(result.rows[0]?.n);
  } finally {
    await client.end();
  }
}

/** One run of a tool; resolves with how many migrations it applied. */
async function runTool(tool: Tool, url: string, dirs: { ours: string; theirs: string }) {
  if (tool === 'deploy-actions') {
    const result = await runMigrations(
      {
        database: { url },
        mode: { kind: 'sql', migrationsDir: dirs.ours, allowOutOfOrder: false, dryRun: false },
        ssl: { mode: 'disable' },
        lockTimeoutMs: 60_000,
        statementTimeoutMs: 0,
        appliedBy: 'https://github.com/bench/bench/actions/runs/1',
        workspaceDir: path.dirname(dirs.ours),
        connectTimeoutMs: 10_000,
      },
      { logger: new MemoryLogger() },
    );
    return result.sql?.appliedVersions.length ?? 0;
  }
  const applied = await runner({
    databaseUrl: url,
    dir: dirs.theirs,
    direction: 'up',
    migrationsTable: 'pgmigrations',
    checkOrder: true,
    singleTransaction: tool !== 'node-pg-migrate',
    log: () => undefined,
  });
  return applied.length;
}

interface Sample {
  apply: number;
  noop: number;
  /** Queries and round trips while applying and while doing nothing. */
  applyQueries: number;
  applyRoundTrips: number;
  noopQueries: number;
  noopRoundTrips: number;
}

/**
 * Counts pg client queries while `body` runs (both tools use this pg), and
 * round trips: a query sent while none of its client's is awaiting an answer
 * starts one; queries sent behind it (pipelined) share it.
 */
async function counted<T>(
  body: () => Promise<T>,
): Promise<{ value: T; queries: number; roundTrips: number }> {
  const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  const inFlight = new WeakMap<object, number>();
  let queries = 0;
  let roundTrips = 0;
  prototype.query = function (this: object, ...args: unknown[]) {
    queries += 1;
    const waiting = inFlight.get(this) ?? 0;
    if (waiting === 0) roundTrips += 1;
    const result = original.apply(this, args);
    if (result instanceof Promise) {
      inFlight.set(this, waiting + 1);
      const done = () => inFlight.set(this, (inFlight.get(this) ?? 1) - 1);
      result.then(done, done);
    }
    return result;
  };
  try {
    return { value: await body(), queries, roundTrips };
  } finally {
    prototype.query = original;
  }
}

async function round(tool: Tool, dirs: { ours: string; theirs: string }): Promise<Sample> {
  const db = await freshDatabase();
  try {
    let started = performance.now();
    const {
      value: applied,
      queries: applyQueries,
      roundTrips: applyRoundTrips,
    } = await counted(() => runTool(tool, viaProxy(db.url), dirs));
    const apply = performance.now() - started;
    started = performance.now();
    const {
      value: again,
      queries: noopQueries,
      roundTrips: noopRoundTrips,
    } = await counted(() => runTool(tool, viaProxy(db.url), dirs));
    const noop = performance.now() - started;
    const tables = await countTables(db.url);
    if (applied !== MIGRATIONS || again !== 0 || tables !== MIGRATIONS) {
      throw new Error(
        `${tool}: applied ${applied}, then ${again}, ${tables} tables; expected ${MIGRATIONS}, 0, ${MIGRATIONS}`,
      );
    }
    return { apply, noop, applyQueries, applyRoundTrips, noopQueries, noopRoundTrips };
  } finally {
    await db.drop();
  }
}

test(`${MIGRATIONS} migrations, then a run with nothing pending`, async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'bench-migrate-'));
  const proxy = RTT_MS > 0 ? await latencyProxy(RTT_MS) : undefined;
  toolPort = proxy?.port;
  try {
    const dirs = await writeMigrations(root);
    const samples = new Map<Tool, Sample[]>(TOOLS.map((tool) => [tool, []]));
    // One warm-up round each (JIT, server caches), not counted.
    for (const tool of TOOLS) await round(tool, dirs);
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order each round so no tool always runs first.
      const order = TOOLS.map((_, i) => TOOLS[(i + r) % TOOLS.length]!);
      for (const tool of order) samples.get(tool)!.push(await round(tool, dirs));
    }
    const measure = (tool: Tool, key: 'apply' | 'noop') => {
      const last = samples.get(tool)!.at(-1)!;
      return {
        name: tool,
        samplesMs: samples.get(tool)!.map((s) => s[key]),
        counts:
          key === 'apply'
            ? { queries: last.applyQueries, 'round trips': last.applyRoundTrips }
            : { queries: last.noopQueries, 'round trips': last.noopRoundTrips },
      };
    };
    const comparisons: Comparison[] = [];
    for (const peer of ['node-pg-migrate', 'node-pg-migrate (one transaction)'] as const) {
      comparisons.push(
        {
          scenario: `apply ${MIGRATIONS} to an empty database`,
          ours: measure('deploy-actions', 'apply'),
          peer: measure(peer, 'apply'),
        },
        {
          scenario: 'nothing pending',
          ours: measure('deploy-actions', 'noop'),
          peer: measure(peer, 'noop'),
        },
      );
    }
    report('run-migrations', comparisons, [
      `${MIGRATIONS} migrations of 3 statements each (CREATE TABLE, CREATE INDEX, INSERT of 10 rows)${RTT_MS > 0 ? `, both tools behind a proxy adding ${RTT_MS} ms per round trip` : ''}, PostgreSQL ${await serverVersion()}, Node ${process.version}, median of ${ROUNDS} rounds after a warm-up; every round checked (all applied, then none, ${MIGRATIONS} tables).`,
      `Per-migration median while applying: ours ${(median(samples.get('deploy-actions')!.map((s) => s.apply)) / MIGRATIONS).toFixed(1)} ms.`,
      `Median of the per-round ratios (peer ÷ ours, the two measured seconds apart, so less exposed to the machine's load drifting): applying ${pairedRatio(samples, 'node-pg-migrate', 'apply')}, nothing pending ${pairedRatio(samples, 'node-pg-migrate', 'noop')}.`,
      `Round trips (queries) per migration while applying: ${TOOLS.map((tool) => `${tool} ${perMigration(samples, tool)}`).join(', ')}.`,
    ]);
  } finally {
    proxy?.close();
    await rm(root, { recursive: true, force: true });
  }
});

function pairedRatio(samples: Map<Tool, Sample[]>, peer: Tool, key: 'apply' | 'noop'): string {
  const ours = samples.get('deploy-actions')!;
  const theirs = samples.get(peer)!;
  return `${median(ours.map((sample, i) => theirs[i]![key] / sample[key])).toFixed(2)}×`;
}

function perMigration(samples: Map<Tool, Sample[]>, tool: Tool): string {
  const last = samples.get(tool)!.at(-1)!;
  return `${(last.applyRoundTrips / MIGRATIONS).toFixed(2)} (${(last.applyQueries / MIGRATIONS).toFixed(2)})`;
}

async function serverVersion(): Promise<string> {
  const client = new pg.Client({ connectionString: SERVER });
  await client.connect();
  try {
    const result = await client.query<{ server_version: string }>('SHOW server_version');
    return result.rows[0]?.server_version ?? '?';
  } finally {
    await client.end();
  }
}

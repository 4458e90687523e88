#!/usr/bin/env node
/**
 * Writes tools/aws-sim/model/data/<service>.json: the request side of each
 * simulated service's botocore model (operations, their input shapes and the
 * constraints those state: required, enum, min/max, pattern), without docs.
 * The simulator validates requests against these files, so they are committed
 * and CI does not depend on which botocore the machine has.
 *
 *   node tools/aws-sim/model/extract.mjs [<botocore data dir>]
 *
 * Without an argument the data directory of `python3 -c 'import botocore'` is used.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

/** Simulator module name → botocore service directory and API version. */
const SERVICES = {
  apprunner: ['apprunner', '2020-05-15'],
  cloudfront: ['cloudfront', '2020-05-31'],
  ecr: ['ecr', '2015-09-21'],
  ecs: ['ecs', '2014-11-13'],
  logs: ['logs', '2014-03-28'],
  secretsmanager: ['secretsmanager', '2017-10-17'],
  sts: ['sts', '2011-06-15'],
};
const SHAPE_KEYS = [
  'type',
  'required',
  'payload',
  'enum',
  'min',
  'max',
  'pattern',
  'flattened',
  'locationName',
];
const MEMBER_KEYS = ['shape', 'location', 'locationName', 'flattened', 'xmlAttribute'];

function botocoreDataDir() {
  const dir = execFileSync(
    'python3',
    ['-c', 'import botocore, os; print(os.path.join(os.path.dirname(botocore.__file__), "data"))'],
    { encoding: 'utf8' },
  ).trim();
  const version = execFileSync('python3', ['-c', 'import botocore; print(botocore.__version__)'], {
    encoding: 'utf8',
  }).trim();
  return { dir, version };
}

function readModel(dir) {
  const plain = join(dir, 'service-2.json');
  if (existsSync(plain)) return JSON.parse(readFileSync(plain, 'utf8'));
  return JSON.parse(gunzipSync(readFileSync(`${plain}.gz`)).toString('utf8'));
}

function pick(object, keys) {
  return Object.fromEntries(keys.filter((k) => object[k] !== undefined).map((k) => [k, object[k]]));
}

function extract(model) {
  const shapes = {};
  const visit = (name) => {
    if (shapes[name]) return;
    const shape = model.shapes[name];
    const kept = pick(shape, SHAPE_KEYS);
    shapes[name] = kept;
    for (const key of ['member', 'key', 'value']) {
      if (shape[key]) {
        kept[key] = pick(shape[key], MEMBER_KEYS);
        visit(shape[key].shape);
      }
    }
    if (shape.members) {
      kept.members = {};
      for (const [member, ref] of Object.entries(shape.members)) {
        kept.members[member] = pick(ref, MEMBER_KEYS);
        visit(ref.shape);
      }
    }
  };
  const operations = {};
  for (const [name, op] of Object.entries(model.operations)) {
    operations[name] = {
      ...(op.input ? { input: op.input.shape } : {}),
      ...(model.metadata.protocol === 'rest-xml' ? { requestUri: op.http.requestUri } : {}),
    };
    if (op.input) visit(op.input.shape);
  }
  const sorted = Object.fromEntries(Object.entries(shapes).sort(([a], [b]) => a.localeCompare(b)));
  return { operations, shapes: sorted };
}

const given = process.argv[2];
const { dir, version } = given ? { dir: given, version: 'unknown' } : botocoreDataDir();
const out = join(dirname(fileURLToPath(import.meta.url)), 'data');
for (const [name, [service, apiVersion]] of Object.entries(SERVICES)) {
  const serviceDir = join(dir, service, apiVersion);
  if (!readdirSync(serviceDir).some((f) => f.startsWith('service-2.json'))) {
    throw new Error(`no service-2.json in ${serviceDir}`);
  }
  const model = readModel(serviceDir);
  const document = {
    source: `botocore ${version}: data/${service}/${apiVersion}/service-2.json`,
    protocol: model.metadata.protocol,
    apiVersion: model.metadata.apiVersion,
    ...extract(model),
  };
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify(document)}\n`);
  console.log(`${name}: ${Object.keys(document.operations).length} operations`);
}

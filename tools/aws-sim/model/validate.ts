/**
 * Request validation from the services' own models: a request the real
 * service would refuse before running the operation (a required member
 * missing, a value outside an enum, a length, range or pattern the model
 * states) is refused here too, before any handler runs. The models are the
 * request side of botocore's service-2.json (see extract.mjs and data/).
 */
import { readFileSync } from 'node:fs';

export interface MemberRef {
  shape: string;
  location?: string;
  locationName?: string;
  flattened?: boolean;
}

export interface ModelShape {
  type: string;
  required?: string[];
  payload?: string;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  flattened?: boolean;
  locationName?: string;
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
}

export interface ServiceModel {
  source: string;
  protocol: string;
  apiVersion: string;
  operations: Record<string, { input?: string; requestUri?: string }>;
  shapes: Record<string, ModelShape>;
}

/** One broken constraint, in the words AWS's request validation uses. */
export interface Violation {
  /** Member path as the service names it: `containerDefinitions.1.member.image`. */
  path: string;
  value: unknown;
  /** `Member must …`. */
  constraint: string;
  /** A value of the wrong JSON type: the service cannot even deserialize it. */
  type?: boolean;
}

const models = new Map<string, ServiceModel | null>();

/** The model for a simulator module name (`ecs`, `sts`, …), or undefined when none is shipped. */
export function serviceModel(name: string): ServiceModel | undefined {
  if (!models.has(name)) {
    let model: ServiceModel | null = null;
    if (/^[a-z0-9-]+$/.test(name)) {
      try {
        const url = new URL(`./data/${name}.json`, import.meta.url);
        model = JSON.parse(readFileSync(url, 'utf8')) as ServiceModel;
      } catch {
        model = null;
      }
    }
    models.set(name, model);
  }
  return models.get(name) ?? undefined;
}

/** The input shape of `operation`, or undefined when the model does not know the operation. */
export function inputShape(model: ServiceModel, operation: string): string | undefined {
  return Object.hasOwn(model.operations, operation)
    ? model.operations[operation]!.input
    : undefined;
}

/** Every constraint `value` (already in JSON form) breaks against `shapeName`. */
export function validateShape(model: ServiceModel, shapeName: string, value: unknown): Violation[] {
  const out: Violation[] = [];
  check(model, shapeName, value, '', out);
  return out;
}

function check(
  model: ServiceModel,
  shapeName: string,
  value: unknown,
  path: string,
  out: Violation[],
): void {
  const shape = model.shapes[shapeName];
  if (!shape || value === undefined || value === null) return;
  switch (shape.type) {
    case 'structure': {
      if (!isObject(value)) return typeError(path, value, 'a structure', out);
      for (const name of shape.required ?? []) {
        if (value[name] === undefined || value[name] === null) {
          out.push({ path: join(path, name), value: null, constraint: 'Member must not be null' });
        }
      }
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        check(model, ref.shape, value[name], join(path, name), out);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return typeError(path, value, 'a list', out);
      lengthChecks(shape, value.length, path, value, out);
      value.forEach((item, i) =>
        check(model, shape.member!.shape, item, `${path}.${i + 1}.member`, out),
      );
      return;
    }
    case 'map': {
      if (!isObject(value)) return typeError(path, value, 'a map', out);
      const entries = Object.entries(value);
      lengthChecks(shape, entries.length, path, value, out);
      for (const [key, item] of entries) {
        check(model, shape.key!.shape, key, `${path}.${key}.key`, out);
        check(model, shape.value!.shape, item, `${path}.${key}.member`, out);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return typeError(path, value, 'a string', out);
      if (shape.enum && !shape.enum.includes(value)) {
        out.push({
          path,
          value,
          constraint: `Member must satisfy enum value set: [${shape.enum.join(', ')}]`,
        });
      }
      lengthChecks(shape, [...value].length, path, value, out);
      if (shape.pattern !== undefined) {
        const pattern = compilePattern(shape.pattern);
        if (pattern && !pattern.test(value)) {
          out.push({
            path,
            value,
            constraint: `Member must satisfy regular expression pattern: ${shape.pattern}`,
          });
        }
      }
      return;
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double': {
      if (typeof value !== 'number') return typeError(path, value, 'a number', out);
      if (shape.min !== undefined && value < shape.min) {
        out.push({
          path,
          value,
          constraint: `Member must have value greater than or equal to ${shape.min}`,
        });
      }
      if (shape.max !== undefined && value > shape.max) {
        out.push({
          path,
          value,
          constraint: `Member must have value less than or equal to ${shape.max}`,
        });
      }
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') typeError(path, value, 'a boolean', out);
      return;
    default:
      // timestamp (epoch number or ISO text) and blob (base64 text): nothing the model constrains.
      return;
  }
}

function lengthChecks(
  shape: ModelShape,
  length: number,
  path: string,
  value: unknown,
  out: Violation[],
): void {
  if (shape.min !== undefined && length < shape.min) {
    out.push({
      path,
      value,
      constraint: `Member must have length greater than or equal to ${shape.min}`,
    });
  }
  if (shape.max !== undefined && length > shape.max) {
    out.push({
      path,
      value,
      constraint: `Member must have length less than or equal to ${shape.max}`,
    });
  }
}

function typeError(path: string, value: unknown, expected: string, out: Violation[]): void {
  out.push({ path, value, constraint: `Member must be ${expected}`, type: true });
}

/** AWS names members in validation messages with a lower-case first letter. */
function join(path: string, member: string): string {
  const name = member.charAt(0).toLowerCase() + member.slice(1);
  return path === '' ? name : `${path}.${name}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const patterns = new Map<string, RegExp | null>();

/**
 * A model pattern is a Java regular expression the whole value must match.
 * JavaScript's Unicode mode reads the ones the simulated models use
 * (`\p{L}`, `\p{N}`); one it cannot read is not enforced rather than misread.
 */
export function compilePattern(source: string): RegExp | null {
  if (!patterns.has(source)) {
    let compiled: RegExp | null = null;
    try {
      compiled = new RegExp(`^(?:${source})$`, 'u');
    } catch {
      try {
        if (!/\\[pP]\{/.test(source)) compiled = new RegExp(`^(?:${source})$`);
      } catch {
        compiled = null;
      }
    }
    patterns.set(source, compiled);
  }
  return patterns.get(source)!;
}

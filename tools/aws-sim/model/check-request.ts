/**
 * Applies the model validation to a decoded request of any protocol and
 * answers the error each service answers for a request that breaks its
 * model: the JSON body as it is; Query parameters and REST-XML labels,
 * query, headers and payload first read into the same JSON form by the
 * input shape.
 */
import { SimError } from '../errors.js';
import type { QueryParams, RestXmlRequest } from '../types.js';
import type { ParsedXml } from '../xml.js';
import {
  inputShape,
  serviceModel,
  validateShape,
  type ServiceModel,
  type Violation,
} from './validate.js';

type Style = 'coral' | 'ecr';

/**
 * The code each service answers a request that breaks its model with.
 * - Logs: InvalidParameterException "1 validation error detected: Value … at 'logGroupName' failed to
 *   satisfy constraint: …" (the model's "A parameter is specified incorrectly"; seen in
 *   awslabs/aws-embedded-metrics-java#65, fluent-plugin-cloudwatch-logs#223).
 * - Secrets Manager: ValidationException, not the model's InvalidParameterException
 *   ("1 validation error detected: Value null at 'secretId' …", aws/aws-sdk-kotlin#1469,
 *   aws/aws-sdk-js-v3#1215).
 * - ECR: InvalidParameterException "Invalid parameter at 'repositoryName' failed to satisfy
 *   constraint: 'must …'" (ECR's own wording, boto/boto3#3191, int128/create-ecr-repository-action#231).
 * - App Runner: InvalidRequestException, the model's "One or more input parameters aren't valid".
 * - ECS: ClientException, what ECS answers a request it refuses on its face
 *   (aws/amazon-ecs-cli#37); the model: "… specifying an identifier that isn't valid".
 * - STS (awsQuery): ValidationError, the Query services' validation code (boto/botocore#3337).
 * - CloudFront: InvalidArgument, the model's "An argument is invalid" (HTTP 400).
 */
const ANSWERS: Record<string, { code: string; style: Style }> = {
  logs: { code: 'InvalidParameterException', style: 'coral' },
  secretsmanager: { code: 'ValidationException', style: 'coral' },
  ecr: { code: 'InvalidParameterException', style: 'ecr' },
  apprunner: { code: 'InvalidRequestException', style: 'coral' },
  ecs: { code: 'ClientException', style: 'coral' },
  sts: { code: 'ValidationError', style: 'coral' },
  cloudfront: { code: 'InvalidArgument', style: 'coral' },
};

export type ModelInput =
  | { protocol: 'json'; body: unknown }
  | { protocol: 'query'; params: QueryParams }
  | { protocol: 'rest-xml'; request: RestXmlRequest };

/** The SimError the service answers when the request breaks its model; undefined when it does not. */
export function checkRequest(
  service: string,
  operation: string,
  input: ModelInput,
): SimError | undefined {
  const model = serviceModel(service);
  const answer = ANSWERS[service];
  if (!model || !answer) return undefined;
  const shape = inputShape(model, operation);
  if (shape === undefined) return undefined;
  const value =
    input.protocol === 'json'
      ? input.body
      : input.protocol === 'query'
        ? fromQuery(model, shape, input.params, '')
        : fromRestXml(model, shape, input.request);
  const violations = validateShape(model, shape, value);
  if (violations.length === 0) return undefined;
  const typeError = violations.find((v) => v.type);
  if (typeError && input.protocol === 'json') {
    // A JSON value of the wrong type fails deserialization, before any constraint is looked at.
    return new SimError(
      'SerializationException',
      `Cannot deserialize the value at '${typeError.path}': ${typeError.constraint.replace('Member', 'it')}.`,
    );
  }
  return new SimError(answer.code, message(answer.style, violations, input.protocol !== 'json'));
}

function message(style: Style, violations: Violation[], textual: boolean): string {
  if (style === 'ecr') {
    const first = violations[0]!;
    const constraint = first.constraint.replace(/^Member must/, 'must');
    return `Invalid parameter at '${first.path}' failed to satisfy constraint: '${constraint}'`;
  }
  const count = violations.length;
  const each = violations.map(
    (v) =>
      `Value ${quote(v.value, textual)} at '${v.path}' failed to satisfy constraint: ${v.constraint}`,
  );
  return `${count} validation error${count === 1 ? '' : 's'} detected: ${each.join('; ')}`;
}

/** Query and REST-XML values arrive as text and are quoted as such. */
function quote(value: unknown, textual: boolean): string {
  if (value === null) return 'null';
  if (typeof value === 'string' || textual) return `'${String(value)}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${JSON.stringify(value)}'`;
}

/** awsQuery: `Name`, `Name.Sub`, `Name.member.N` (or `Name.N` flattened), `Name.entry.N.key|value`. */
function fromQuery(
  model: ServiceModel,
  shapeName: string,
  params: QueryParams,
  prefix: string,
): unknown {
  const shape = model.shapes[shapeName];
  if (!shape) return undefined;
  const at = (name: string) => (prefix === '' ? name : `${prefix}.${name}`);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      let any = prefix === '';
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const value = fromQuery(model, ref.shape, params, at(ref.locationName ?? name));
        if (value !== undefined) {
          out[name] = value;
          any = true;
        }
      }
      return any ? out : undefined;
    }
    case 'list': {
      const base = shape.flattened ? prefix : `${prefix}.member`;
      const items: unknown[] = [];
      for (let i = 1; ; i++) {
        const item = fromQuery(model, shape.member!.shape, params, `${base}.${i}`);
        if (item === undefined) break;
        items.push(item);
      }
      // `Name=` with no members is how Query sends an empty list.
      return items.length > 0 || params[prefix] !== undefined ? items : undefined;
    }
    case 'map': {
      const out: Record<string, unknown> = {};
      for (let i = 1; params[`${prefix}.entry.${i}.key`] !== undefined; i++) {
        out[params[`${prefix}.entry.${i}.key`]!] = fromQuery(
          model,
          shape.value!.shape,
          params,
          `${prefix}.entry.${i}.value`,
        );
      }
      return Object.keys(out).length > 0 ? out : undefined;
    }
    default:
      return scalar(shape.type, params[prefix]);
  }
}

/** restXml: members in the path labels, query string, headers or the XML payload. */
function fromRestXml(model: ServiceModel, shapeName: string, request: RestXmlRequest): unknown {
  const shape = model.shapes[shapeName];
  if (!shape) return undefined;
  const out: Record<string, unknown> = {};
  for (const [name, ref] of Object.entries(shape.members ?? {})) {
    const wire = ref.locationName ?? name;
    const memberType = model.shapes[ref.shape]?.type ?? 'string';
    let value: unknown;
    if (ref.location === 'uri') value = scalar(memberType, request.labels[wire]);
    else if (ref.location === 'querystring') value = scalar(memberType, request.query[wire]);
    else if (ref.location === 'header') {
      const header = request.headers[wire.toLowerCase()];
      value = scalar(memberType, Array.isArray(header) ? header.join(',') : header);
    } else if (shape.payload === name && request.body) {
      value = fromXml(model, ref.shape, request.body.value);
    }
    if (value !== undefined) out[name] = value;
  }
  return out;
}

function fromXml(model: ServiceModel, shapeName: string, node: ParsedXml | ParsedXml[]): unknown {
  const shape = model.shapes[shapeName];
  if (!shape) return undefined;
  const one = Array.isArray(node) ? node[0] : node;
  switch (shape.type) {
    case 'structure': {
      if (typeof one !== 'object' || one === undefined) return {};
      const out: Record<string, unknown> = {};
      for (const [name, ref] of Object.entries(shape.members ?? {})) {
        const child = one[ref.locationName ?? name];
        if (child !== undefined) out[name] = fromXml(model, ref.shape, child);
      }
      return out;
    }
    case 'list': {
      if (typeof one !== 'object' || one === undefined) return [];
      const items = one[shape.member!.locationName ?? 'member'];
      const list = items === undefined ? [] : Array.isArray(items) ? items : [items];
      return list.map((item) => fromXml(model, shape.member!.shape, item));
    }
    default:
      return scalar(shape.type, typeof one === 'string' ? one : undefined);
  }
}

/** A text value read as the model's type; text that is no number stays text (and fails the check). */
function scalar(type: string, text: string | undefined): unknown {
  if (text === undefined) return undefined;
  if (['integer', 'long', 'float', 'double'].includes(type)) {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? n : text;
  }
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : text;
  return text;
}

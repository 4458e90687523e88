// @ts-check
// What an action prints, read as the runner reads it: workflow commands (::error::, ::group::,
// ::add-mask:: …) parsed with the runner's escaping, masked values replaced by *** as it does,
// annotations collected, and a strict check that a masked value was never printed at all.

/**
 * @typedef {object} Annotation
 * @property {'error' | 'warning' | 'notice'} level
 * @property {string} message
 * @property {Record<string, string>} properties
 */

/**
 * @typedef {object} Command
 * @property {string} command
 * @property {Record<string, string>} properties
 * @property {string} data the data as written (still escaped)
 */

/**
 * The runner's unescaping of command data: %0D, %0A, then %25 last (so %250A stays %0A).
 * Case-sensitive, as the runner's.
 * @param {string} text
 */
export function unescapeData(text) {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');
}

/**
 * The runner's unescaping of a property value: also %3A and %2C, still before %25.
 * @param {string} text
 */
export function unescapeProperty(text) {
  return text
    .replace(/%0D/g, '\r')
    .replace(/%0A/g, '\n')
    .replace(/%3A/g, ':')
    .replace(/%2C/g, ',')
    .replace(/%25/g, '%');
}

/**
 * Parses `::name key=value,key=value::data` as the runner does (leading blanks ignored, the
 * data starts after the second `::`); undefined for an ordinary line.
 * @param {string} line
 * @returns {Command | undefined}
 */
export function parseCommand(line) {
  const text = line.trimStart();
  if (!text.startsWith('::')) return undefined;
  const end = text.indexOf('::', 2);
  if (end < 0) return undefined;
  const info = text.slice(2, end);
  const space = info.indexOf(' ');
  const command = space < 0 ? info : info.slice(0, space);
  if (!/^[A-Za-z-]+$/.test(command)) return undefined;
  /** @type {Record<string, string>} */
  const properties = {};
  if (space > 0) {
    for (const pair of info
      .slice(space + 1)
      .trim()
      .split(',')) {
      const eq = pair.indexOf('=');
      if (eq > 0 && eq < pair.length - 1) {
        properties[pair.slice(0, eq)] = unescapeProperty(pair.slice(eq + 1));
      }
    }
  }
  return { command, properties, data: text.slice(end + 2) };
}

/** Secrets registered so far; replaces each (longest first) with ***. */
export class Masker {
  constructor() {
    /** @type {Set<string>} */
    this.values = new Set();
  }

  /** @param {string} secret */
  add(secret) {
    if (!secret || secret.trim() === '') return;
    this.values.add(secret);
    for (const line of secret.split(/\r?\n/)) if (line.trim() !== '') this.values.add(line);
  }

  /** @param {string} text */
  apply(text) {
    if (!text) return text;
    let result = text;
    for (const secret of [...this.values].sort((a, b) => b.length - a.length)) {
      result = result.split(secret).join('***');
    }
    return result;
  }

  get size() {
    return this.values.size;
  }
}

/** @type {Record<Annotation['level'], string>} */
const LEVEL_LABEL = { error: 'Error', warning: 'Warning', notice: 'Notice' };

/** @param {string} command @returns {command is Annotation['level']} */
const isLevel = (command) => command === 'error' || command === 'warning' || command === 'notice';

/**
 * file:line(:col) of an annotation, when it has one.
 * @param {Record<string, string>} properties
 */
function location(properties) {
  if (!properties.file) return '';
  const line = properties.line ?? properties.startLine;
  const col = properties.col ?? properties.startColumn;
  return ` (${properties.file}${line ? `:${line}` : ''}${line && col ? `:${col}` : ''})`;
}

/**
 * Translates one stream of an action's output for a terminal, line by line. `write` receives
 * finished text (lines with their newline). `debug` shows ::debug:: lines. Annotations are
 * also collected.
 */
export class LogTranslator {
  /** @param {{ write: (text: string) => void, masker?: Masker, debug?: boolean }} options */
  constructor({ write, masker = new Masker(), debug = false }) {
    this.write = write;
    this.masker = masker;
    this.debug = debug;
    this.partial = '';
    this.depth = 0;
    /** @type {string | undefined} */
    this.stopToken = undefined;
    /** @type {Annotation[]} */
    this.annotations = [];
  }

  /** @param {string} chunk */
  push(chunk) {
    this.partial += chunk;
    let newline;
    while ((newline = this.partial.indexOf('\n')) >= 0) {
      const line = this.partial.slice(0, newline).replace(/\r$/, '');
      this.partial = this.partial.slice(newline + 1);
      this.line(line);
    }
  }

  end() {
    if (this.partial !== '') this.line(this.partial);
    this.partial = '';
  }

  /** @param {string} text */
  emit(text) {
    const prefix = '  '.repeat(this.depth);
    const masked = this.masker.apply(text);
    this.write(
      `${masked
        .split('\n')
        .map((l) => (l === '' ? l : prefix + l))
        .join('\n')}\n`,
    );
  }

  /** @param {string} line */
  line(line) {
    if (this.stopToken !== undefined) {
      if (line === `::${this.stopToken}::`) this.stopToken = undefined;
      else this.emit(line);
      return;
    }
    const command = parseCommand(line);
    if (!command) {
      this.emit(line);
      return;
    }
    const data = unescapeData(command.data);
    if (isLevel(command.command)) {
      this.annotations.push({
        level: command.command,
        message: this.masker.apply(data),
        properties: command.properties,
      });
      const title = command.properties.title ? `${command.properties.title}: ` : '';
      this.emit(`${LEVEL_LABEL[command.command]}${location(command.properties)}: ${title}${data}`);
      return;
    }
    switch (command.command) {
      case 'add-mask':
        this.masker.add(data);
        return;
      case 'group':
        this.emit(`▸ ${data}`);
        this.depth += 1;
        return;
      case 'endgroup':
        this.depth = Math.max(0, this.depth - 1);
        return;
      case 'debug':
        if (this.debug) this.emit(`Debug: ${data}`);
        return;
      case 'stop-commands':
        this.stopToken = command.data;
        return;
      case 'echo':
      case 'set-output':
      case 'save-state':
      case 'set-env':
      case 'add-path':
        return;
      default:
        this.emit(line);
    }
  }
}

/**
 * The annotations of a whole log (::error / ::warning / ::notice lines), data unescaped.
 * @param {string} log
 * @returns {Annotation[]}
 */
export function parseAnnotations(log) {
  /** @type {Annotation[]} */
  const annotations = [];
  for (const { command } of processedLines(log)) {
    if (!command || !isLevel(command.command)) continue;
    annotations.push({
      level: command.command,
      message: unescapeData(command.data),
      properties: command.properties,
    });
  }
  return annotations;
}

/**
 * Each line of a log with the workflow command the runner would process on it: none between
 * ::stop-commands::TOKEN and ::TOKEN:: (the lines of third-party output), as the runner does.
 * @param {string} log
 * @returns {{ line: string, command: Command | undefined }[]}
 */
export function processedLines(log) {
  /** @type {string | undefined} */
  let stopToken;
  return log.split('\n').map((raw) => {
    const line = raw.replace(/\r$/, '');
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      return { line, command: undefined };
    }
    const command = parseCommand(line);
    if (command?.command === 'stop-commands') stopToken = command.data;
    return { line, command };
  });
}

/**
 * The values a log registered with ::add-mask::.
 * @param {string} log
 * @returns {string[]}
 */
export function parseMasks(log) {
  return processedLines(log)
    .filter(({ command }) => command?.command === 'add-mask')
    .map(({ command }) => unescapeData(/** @type {Command} */ (command).data));
}

/**
 * The log as a reader of the job would see it, without the add-mask commands themselves.
 * @param {{ log: string }} run
 */
export function visibleLog(run) {
  return processedLines(run.log)
    .filter(({ command }) => command?.command !== 'add-mask')
    .map(({ line }) => line)
    .join('\n');
}

/**
 * The strict version of the runner's masking: a masked value must never be printed at all.
 * @param {{ log: string, summary: string, masked: readonly string[] }} run
 */
export function assertNoMaskedValueLeaked(run) {
  const visible = visibleLog(run);
  for (const secret of run.masked) {
    if (secret.length < 4) continue; // the runner itself ignores trivially short masks
    for (const [where, text] of /** @type {const} */ ([
      ['log', visible],
      ['summary', run.summary],
    ])) {
      if (text.includes(secret)) {
        throw new Error(
          `A masked value (${secret.length} chars, starts ${secret.slice(0, 2)}…) appears in the ${where}.`,
        );
      }
    }
  }
}

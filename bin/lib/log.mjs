// What an action prints, made readable outside GitHub: workflow commands (::error::, ::group::,
// ::add-mask:: …) become plain lines, and every value the action masked is replaced by *** in
// everything printed afterwards, as the runner does (a masked value is never printed at all).

/** The runner's escaping of command data (%25 %0D %0A) and properties (also %3A %2C). */
export function unescapeData(text) {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

export function unescapeProperty(text) {
  return unescapeData(text).replace(/%3A/gi, ':').replace(/%2C/gi, ',');
}

/** Parses `::name key=value,key=value::data`; undefined for an ordinary line. */
export function parseCommand(line) {
  const match = /^::([A-Za-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
  if (!match) return undefined;
  const properties = {};
  for (const pair of (match[2] ?? '').split(',')) {
    const eq = pair.indexOf('=');
    if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeProperty(pair.slice(eq + 1));
  }
  return { command: match[1].toLowerCase(), properties, data: match[3] };
}

/** Secrets registered so far; replaces each (longest first) with ***. */
export class Masker {
  constructor() {
    this.values = new Set();
  }

  add(secret) {
    if (!secret || secret.trim() === '') return;
    this.values.add(secret);
    for (const line of secret.split(/\r?\n/)) if (line.trim() !== '') this.values.add(line);
  }

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

const LEVEL_LABEL = { error: 'Error', warning: 'Warning', notice: 'Notice' };

/** file:line(:col) of an annotation, when it has one. */
function location(properties) {
  if (!properties.file) return '';
  const line = properties.line ?? properties.startLine;
  const col = properties.col ?? properties.startColumn;
  return ` (${properties.file}${line ? `:${line}` : ''}${line && col ? `:${col}` : ''})`;
}

/**
 * Translates one stream of an action's output, line by line. `write` receives finished text
 * (lines with their newline). `debug` shows ::debug:: lines. Annotations are also collected.
 */
export class LogTranslator {
  constructor({ write, masker = new Masker(), debug = false }) {
    this.write = write;
    this.masker = masker;
    this.debug = debug;
    this.partial = '';
    this.depth = 0;
    this.stopToken = undefined;
    this.annotations = [];
  }

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
    switch (command.command) {
      case 'add-mask':
        this.masker.add(data);
        return;
      case 'error':
      case 'warning':
      case 'notice': {
        this.annotations.push({
          level: command.command,
          message: this.masker.apply(data),
          properties: command.properties,
        });
        const title = command.properties.title ? `${command.properties.title}: ` : '';
        this.emit(
          `${LEVEL_LABEL[command.command]}${location(command.properties)}: ${title}${data}`,
        );
        return;
      }
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

/** Parses GITHUB_OUTPUT-style files: `name=value` lines and `name<<DELIMITER … DELIMITER` blocks. */
export function parseFileCommands(text) {
  const result = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc;
      const value = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i]);
      result[name] = value.join('\n');
    } else if (line.includes('=')) {
      result[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return result;
}

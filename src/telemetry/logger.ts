import { redactSecrets } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

/** One structured log line as a sink receives it. */
export interface LogEntry {
  level: Exclude<LogLevel, 'silent'>;
  message: string;
  /** Merged logger and call fields, secrets redacted. */
  fields: Record<string, unknown>;
  time: number;
  /** Dotted logger name, e.g. `lumos.telemetry`. */
  name: string | undefined;
}

export interface Logger {
  readonly level: LogLevel;
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` (and extends the name) to every entry. */
  child(fields: Record<string, unknown>, name?: string): Logger;
}

export interface LoggerOptions {
  /**
   * Lowest level written. @default 'silent' in production builds
   * (`process.env.NODE_ENV === 'production'`, read on first use), 'info' otherwise
   */
  level?: LogLevel;
  /** Where entries go. @default the console (`console.debug/info/warn/error` with the fields object) */
  sink?: (entry: LogEntry) => void;
  /** Fields added to every entry. */
  fields?: Record<string, unknown>;
  name?: string;
  /** @default Date.now */
  now?: () => number;
}

/**
 * True in a production build; read lazily so importing this module has no side effects.
 *
 * Only `process.env.NODE_ENV` is read, written out in full: app bundlers (Vite, webpack, Next)
 * substitute it in the user's production build, while Vite's library mode leaves it alone. A
 * check of `import.meta.env.PROD` would be baked to `true` when Lumos itself is built (verified
 * with vite 8 lib mode), silencing every user's logs.
 */
export function isProductionBuild(): boolean {
  try {
    return process.env.NODE_ENV === 'production';
  } catch {
    // No bundler and no Node: `process` is undefined in a plain browser page.
    return false;
  }
}

function consoleSink(entry: LogEntry): void {
  const line = entry.name ? `[${entry.name}] ${entry.message}` : entry.message;
  const hasFields = Object.keys(entry.fields).length > 0;
  const write = globalThis.console[entry.level];
  if (hasFields) write(line, entry.fields);
  else write(line);
}

/**
 * A levelled logger with structured fields. Fields pass through the built-in secret redactor,
 * so an `apiKey` or `Authorization` value logged by mistake prints as `[REDACTED]`.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  let resolved: LogLevel | undefined = options.level;
  const levelNow = (): LogLevel => {
    resolved ??= isProductionBuild() ? 'silent' : 'info';
    return resolved;
  };
  const sink = options.sink ?? consoleSink;
  const now = options.now ?? Date.now;
  const base = options.fields ?? {};
  const write = (level: LogEntry['level'], message: string, fields?: Record<string, unknown>): void => {
    if (rank[level] < rank[levelNow()]) return;
    const merged = fields ? { ...base, ...fields } : base;
    sink({ level, message, fields: redactSecrets(merged), time: now(), name: options.name });
  };
  return {
    get level() {
      return levelNow();
    },
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child(fields, name) {
      const childName = name ? (options.name ? `${options.name}.${name}` : name) : options.name;
      const childOptions: LoggerOptions = { ...options, fields: { ...base, ...fields }, level: levelNow() };
      if (childName !== undefined) childOptions.name = childName;
      return createLogger(childOptions);
    },
  };
}

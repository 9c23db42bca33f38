// A small leveled logger (text or JSON lines) that redacts secrets whatever a caller passes it.

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** Whether a line at `level` would be written: a caller whose fields cost something to build asks first. */
  enabled?(level: LogLevel): boolean;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD =
  /^(authorization|x-api-key|x-goog-api-key|api[-_]?key|proxy-authorization|cookie|set-cookie)$/i;
/** Bearer tokens and the common key formats, caught even inside free text. */
const SECRET_TEXT = /(Bearer\s+)[A-Za-z0-9._~+/=-]{6,}|\b(sk-[A-Za-z0-9_-]{8,}|AIza[0-9A-Za-z_-]{20,})/g;

export interface LoggerOptions {
  level?: LogLevel;
  format?: "text" | "json";
  /** Exact secret values (configured keys) to blank wherever they appear. */
  secrets?: () => Iterable<string>;
  write?: (line: string) => void;
  now?: () => Date;
}

export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = text.replace(SECRET_TEXT, (_match, bearer: string | undefined) =>
    bearer ? `${bearer}[redacted]` : "[redacted]",
  );
  for (const secret of secrets) {
    if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join("[redacted]");
  }
  return out;
}

function redactValue(key: string, value: unknown, secrets: string[], depth: number): unknown {
  if (SECRET_FIELD.test(key)) return "[redacted]";
  if (typeof value === "string") return redactText(value, secrets);
  if (value instanceof Error) return redactText(value.message, secrets);
  if (depth > 4 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item) => redactValue("", item, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [name, inner] of Object.entries(value)) out[name] = redactValue(name, inner, secrets, depth + 1);
  return out;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  const format = options.format ?? "text";

  function log(level: LogLevel, message: string, fields?: LogFields): void {
    if (LEVELS[level] < threshold) return;
    const secrets = [...(options.secrets?.() ?? [])];
    const safeMessage = redactText(message, secrets);
    const safeFields = fields ? (redactValue("", fields, secrets, 0) as LogFields) : undefined;
    if (format === "json") {
      write(JSON.stringify({ time: now().toISOString(), level, msg: safeMessage, ...safeFields }));
      return;
    }
    const extra = safeFields
      ? Object.entries(safeFields)
          .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`)
          .join(" ")
      : "";
    write(
      `${now().toISOString()} ${level.toUpperCase().padEnd(5)} ${safeMessage}${extra ? ` ${extra}` : ""}`,
    );
  }

  return {
    debug: (message, fields) => log("debug", message, fields),
    info: (message, fields) => log("info", message, fields),
    warn: (message, fields) => log("warn", message, fields),
    error: (message, fields) => log("error", message, fields),
    enabled: (level) => LEVELS[level] >= threshold,
  };
}

/** A logger that drops everything; for tests that do not look at logs. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, enabled: () => false };

// The gateway's account of its own traffic: a trace per request, and what each finished trace is reported to.
import type { Logger } from "../log/logger.ts";
import { writeAccessLog } from "./access-log.ts";
import { createRequestIds } from "./request-id.ts";
import { RequestTrace, type TraceSink } from "./trace.ts";

export interface MonitorOptions {
  logger: Logger;
  /** One access-log line per request (server.logging.access; default on). */
  accessLog?: boolean;
  /** A monotonic clock in ms for durations (performance.now unless given). */
  now?: () => number;
  newRequestId?: () => string;
}

export class Monitor implements TraceSink {
  private readonly logger: Logger;
  private readonly accessLog: boolean;
  private readonly now: () => number;
  private readonly newRequestId: () => string;

  constructor(options: MonitorOptions) {
    this.logger = options.logger;
    this.accessLog = options.accessLog ?? true;
    this.now = options.now ?? (() => performance.now());
    this.newRequestId = options.newRequestId ?? createRequestIds();
  }

  /** A request arrived. */
  start(method: string, path: string): RequestTrace {
    return new RequestTrace(this.newRequestId(), method, path, this.now(), this.now, this);
  }

  finished(trace: RequestTrace): void {
    if (this.accessLog) writeAccessLog(this.logger, trace);
  }
}

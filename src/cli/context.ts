// What a command gets from the CLI shell: streams and the environment, so commands stay testable.
import type { Writable } from 'node:stream';

export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  env: NodeJS.ProcessEnv;
  /** true when stderr is a terminal: progress displays only then */
  isTTY: boolean;
  verbose: boolean;
}

export interface Command {
  /** one line for `vigil --help` */
  summary: string;
  /** full text for `vigil CMD --help` */
  help: string;
  run(args: string[], ctx: CliContext): Promise<number>;
}

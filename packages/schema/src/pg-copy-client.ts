import type pg from 'pg';
import { copyFromStdinData } from './copy.js';

type PgModule = typeof pg;

const copyMessageBytes = 65_536;

/**
 * node-postgres's Client, taught `copy … from stdin` with its data as the one parameter (see
 * copyRows): Kysely's PostgreSQL driver calls `client.query(sql, parameters)`, so that is where
 * the data is taken. pg's own Query answers COPY's request for data with a refusal; this one sends
 * the data and says it is done, and reads the outcome as any statement's (error or `COPY n`).
 */
export function clientWithCopy(pgModule: PgModule): PgModule['Client'] {
  class CopyFromStdin extends pgModule.Query {
    readonly #data: Buffer;

    constructor(
      statement: string,
      data: string,
      callback: (error: Error | undefined, result: unknown) => void,
    ) {
      super(statement, undefined, callback);
      this.#data = Buffer.from(data, 'utf8');
    }

    handleCopyInResponse(connection: { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }): void {
      // In messages of 64 KiB: the protocol writer copies each message whole, so one message of the
      // whole batch would hold it twice.
      for (let at = 0; at < this.#data.length; at += copyMessageBytes)
        connection.sendCopyFromChunk(this.#data.subarray(at, at + copyMessageBytes));
      connection.endCopyFrom();
    }
  }

  return class ClientWithCopy extends pgModule.Client {
    // biome-ignore lint/suspicious/noExplicitAny: pg's query() has a dozen overloads; this only looks at (text, values)
    override query(config: any, values?: any, callback?: any): any {
      const data =
        typeof config === 'string' && Array.isArray(values) && callback === undefined
          ? copyFromStdinData(config, values)
          : undefined;
      if (data === undefined) return super.query(config, values, callback);
      return new Promise((resolve, reject) => {
        super.query(
          new CopyFromStdin(config, data, (error, result) => (error ? reject(error) : resolve(result))),
        );
      });
    }
  } as PgModule['Client'];
}

import { EventEmitter } from 'node:events';
import * as grpc from '@grpc/grpc-js';

/**
 * The part of a grpc-js duplex call the SDK's streams use: write(), cancel() and the 'data',
 * 'error' and 'end' events. Like grpc-js, cancel() reports CANCELLED as an 'error'.
 */
export class FakeDuplexCall<Request, Response> extends EventEmitter {
  readonly written: Request[] = [];
  cancelled = false;

  write(message: Request): boolean {
    this.written.push(message);
    return true;
  }

  cancel(): void {
    this.cancelled = true;
    this.emit('error', serviceError(grpc.status.CANCELLED, 'Cancelled on client'));
  }

  /** The server sends a message. */
  respond(message: Response): void {
    this.emit('data', message);
  }

  /** The call fails with this status. */
  fail(code: grpc.status, details = 'failed'): void {
    this.emit('error', serviceError(code, details));
  }

  /** The server ends the stream without an error. */
  end(): void {
    this.emit('end');
  }

  /** As the type the code under test expects (it uses only what is above). */
  asCall<Call>(): Call {
    return this as unknown as Call;
  }
}

export function serviceError(code: grpc.status, details: string,
  metadata = new grpc.Metadata()): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`),
    { code, details, metadata });
}

import { InterceptingCall, type Interceptor, Metadata, status } from '@grpc/grpc-js';
import { defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';

/**
 * The interceptors of every Tevis Temporal client connection: the SDK's own retries, and under
 * them a guard for a retry that comes after the connection was closed. The SDK's retry runs from
 * a timer that closing does not clear; it then asks the closed channel for a call, which throws
 * "Channel has been shut down" from the timer, an uncaught exception that ends the process (an
 * API stopping while Temporal is down). Under the guard the retried call fails instead, as
 * cancelled, which the retry does not repeat.
 */
export function temporalConnectionOptions(): { interceptors: Interceptor[] } {
  return { interceptors: [makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), failWhenChannelClosed] };
}

const failWhenChannelClosed: Interceptor = (options, nextCall) => {
  try {
    return new InterceptingCall(nextCall(options));
  } catch (error) {
    return failedCall(error instanceof Error ? error.message : String(error));
  }
};

/** The call below an interceptor; grpc-js does not export its interface by name. */
type NextInChain = ConstructorParameters<typeof InterceptingCall>[0];

/** Nothing below a call that was never made. */
const nothing: NextInChain = {
  cancelWithStatus() {},
  getPeer: () => '',
  start() {},
  sendMessageWithContext() {},
  sendMessage() {},
  startRead() {},
  halfClose() {},
  getAuthContext: () => null,
};

/** A call that was never made: it answers its listener with the reason, and sends nothing. */
function failedCall(details: string): InterceptingCall {
  return new InterceptingCall(nothing, {
    start(_metadata, listener) {
      setImmediate(() =>
        listener.onReceiveStatus({ code: status.CANCELLED, details, metadata: new Metadata() }),
      );
    },
    sendMessage() {},
    halfClose() {},
  });
}

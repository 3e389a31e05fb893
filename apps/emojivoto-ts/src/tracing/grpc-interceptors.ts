import {
  InterceptingCall,
  type Interceptor,
  type Metadata,
  ServerInterceptingCall,
  type ServerInterceptor,
  status,
} from '@grpc/grpc-js';
import {
  context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type TextMapSetter,
  trace,
} from '@opentelemetry/api';

const TRACER = 'emojivoto-grpc';

const metadataSetter: TextMapSetter<Metadata> = {
  set: (metadata, key, value) => metadata.set(key, value),
};

const metadataGetter: TextMapGetter<Metadata> = {
  get: (metadata, key) => {
    const values = metadata.get(key).map(String);
    return values.length === 0 ? undefined : values.length === 1 ? values[0] : values;
  },
  keys: (metadata) => Object.keys(metadata.getMap()),
};

/** "/emojivoto.v1.VotingService/VoteJoy" → the span name and the rpc.* attributes. */
function describe(path: string) {
  const name = path.replace(/^\//, '');
  const slash = name.lastIndexOf('/');
  return {
    name,
    attributes: { 'rpc.system': 'grpc', 'rpc.service': name.slice(0, slash), 'rpc.method': name.slice(slash + 1) },
  };
}

function finish(span: Span, code: number, details: string | undefined): void {
  span.setAttribute('rpc.grpc.status_code', code);
  if (code !== status.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: details ?? '' });
  span.end();
}

/**
 * A client span around every outgoing call, child of whatever span is active
 * when the call is made, with its context injected as `traceparent` metadata.
 */
export const tracingClientInterceptor: Interceptor = (options, nextCall) => {
  const { name, attributes } = describe(options.method_definition.path);
  const parent = context.active();
  const span = trace.getTracer(TRACER).startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
  return new InterceptingCall(nextCall(options), {
    start(metadata, _listener, next) {
      propagation.inject(trace.setSpan(parent, span), metadata, metadataSetter);
      // A partial listener: grpc-js fills in pass-through for the other events.
      next(metadata, {
        onReceiveStatus(callStatus, nextStatus) {
          finish(span, callStatus.code, callStatus.details);
          nextStatus(callStatus);
        },
      });
    },
  });
};

/** A server span for every call served, parented on the caller's traceparent (or B3) metadata. */
export const tracingServerInterceptor: ServerInterceptor = (methodDescriptor, call) => {
  const { name, attributes } = describe(methodDescriptor.path);
  let span: Span | undefined;
  return new ServerInterceptingCall(call, {
    start(next) {
      next({
        onReceiveMetadata(metadata, nextMetadata) {
          const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
          span = trace.getTracer(TRACER).startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
          nextMetadata(metadata);
        },
      });
    },
    sendStatus(callStatus, next) {
      if (span) finish(span, callStatus.code, callStatus.details);
      next(callStatus);
    },
  });
};

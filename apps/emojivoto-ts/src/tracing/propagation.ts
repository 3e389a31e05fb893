import type { Context, TextMapGetter, TextMapPropagator, TextMapSetter } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { B3Propagator } from '@opentelemetry/propagator-b3';

/**
 * Reads B3 (single `b3` header or the `x-b3-*` set) but never writes it, so a
 * caller that only speaks B3 (an older Linkerd proxy, an OpenCensus client)
 * still joins our traces while everything we send carries W3C traceparent.
 */
class B3ExtractOnly implements TextMapPropagator {
  readonly #b3 = new B3Propagator();

  inject(): void {}

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    return this.#b3.extract(context, carrier, getter);
  }

  fields(): string[] {
    return [];
  }
}

/**
 * Extraction runs left to right and a later propagator that finds a header
 * overrides an earlier one, so with both present traceparent wins, as in the
 * Linkerd proxy. Only W3C trace context and baggage are injected.
 */
export function emojivotoPropagator(): TextMapPropagator {
  return new CompositePropagator({
    propagators: [new B3ExtractOnly(), new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
  });
}

export type HeaderCarrier = Record<string, string | string[] | undefined>;

export const headerGetter: TextMapGetter<HeaderCarrier> = {
  get: (carrier, key) => carrier[key.toLowerCase()],
  keys: (carrier) => Object.keys(carrier),
};

export const headerSetter: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

import { describe, expect, it } from 'vitest';
import { routesFromProto } from './proto.ts';

describe('routesFromProto', () => {
  it('marks RPCs declared IDEMPOTENT or NO_SIDE_EFFECTS retryable, and only those', () => {
    const routes = routesFromProto(
      `syntax = "proto3";
      package books.v1;
      message Q {}
      service Shelf {
        rpc Get (Q) returns (Q) { option idempotency_level = NO_SIDE_EFFECTS; }
        rpc Put (Q) returns (Q) { option idempotency_level = IDEMPOTENT; }
        rpc Buy (Q) returns (Q);
        rpc Watch (Q) returns (stream Q);
      }
      service Till { rpc Pay (Q) returns (Q); }`,
      'books.proto',
    );
    expect(routes.map((r) => [r.name, r.condition.pathRegex, r.isRetryable ?? false])).toEqual([
      ['Get', '/books\\.v1\\.Shelf/Get', true],
      ['Put', '/books\\.v1\\.Shelf/Put', true],
      ['Buy', '/books\\.v1\\.Shelf/Buy', false],
      ['Watch', '/books\\.v1\\.Shelf/Watch', false],
      ['Pay', '/books\\.v1\\.Till/Pay', false],
    ]);
    expect(routes.every((r) => r.condition.method === 'POST')).toBe(true);
  });

  it('uses the bare service name when the file has no package', () => {
    const [route] = routesFromProto('syntax = "proto3"; message M {} service S { rpc Do (M) returns (M); }', 'x.proto');
    expect(route?.condition.pathRegex).toBe('/S/Do');
  });

  it('rejects files that do not parse or declare no RPCs', () => {
    expect(() => routesFromProto('service {', 'bad.proto')).toThrow(
      expect.objectContaining({ code: 'WEFT_CLI_PARSE_INPUT', message: expect.stringMatching(/^bad\.proto: /) }),
    );
    expect(() => routesFromProto('syntax = "proto3"; message M {}', 'empty.proto')).toThrow(/declares no service/);
  });
});

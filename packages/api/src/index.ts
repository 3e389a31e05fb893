import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ProtoGrpcType as DestinationGrpc } from './gen/destination.ts';
import type { ProtoGrpcType as IdentityGrpc } from './gen/identity.ts';
import type { ProtoGrpcType as PolicyGrpc } from './gen/policy.ts';
import type { ProtoGrpcType as RegistrationGrpc } from './gen/registration.ts';
import { LOAD_OPTIONS } from './load-options.ts';

export { ignoreStreamsClosedBeforeSeen } from './closed-streams.ts';
export { LOAD_OPTIONS } from './load-options.ts';

export const PROTO_DIR = join(dirname(dirname(fileURLToPath(import.meta.url))), 'proto');

/** Loads one of the mesh's .proto files as grpc-js service constructors. */
export function loadProto<T>(file: string): T {
  const definition = loadSync(file, { ...LOAD_OPTIONS, includeDirs: [PROTO_DIR] });
  return loadPackageDefinition(definition) as unknown as T;
}

export const loadIdentityApi = (): IdentityGrpc => loadProto<IdentityGrpc>('identity.proto');
export const loadDestinationApi = (): DestinationGrpc => loadProto<DestinationGrpc>('destination.proto');
export const loadPolicyApi = (): PolicyGrpc => loadProto<PolicyGrpc>('policy.proto');
export const loadRegistrationApi = (): RegistrationGrpc => loadProto<RegistrationGrpc>('registration.proto');

// Original file: proto/identity.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CertifyRequest as _weft_identity_CertifyRequest, CertifyRequest__Output as _weft_identity_CertifyRequest__Output } from '../../weft/identity/CertifyRequest.ts';
import type { CertifyResponse as _weft_identity_CertifyResponse, CertifyResponse__Output as _weft_identity_CertifyResponse__Output } from '../../weft/identity/CertifyResponse.ts';

export interface IdentityClient extends grpc.Client {
  /**
   * Certify signs a CSR for the identity that the token proves.
   */
  Certify(argument: _weft_identity_CertifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_weft_identity_CertifyResponse__Output>): grpc.ClientUnaryCall;
  Certify(argument: _weft_identity_CertifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_weft_identity_CertifyResponse__Output>): grpc.ClientUnaryCall;
  Certify(argument: _weft_identity_CertifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_weft_identity_CertifyResponse__Output>): grpc.ClientUnaryCall;
  Certify(argument: _weft_identity_CertifyRequest, callback: grpc.requestCallback<_weft_identity_CertifyResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Certify signs a CSR for the identity that the token proves.
   */
  certify(argument: _weft_identity_CertifyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_weft_identity_CertifyResponse__Output>): grpc.ClientUnaryCall;
  certify(argument: _weft_identity_CertifyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_weft_identity_CertifyResponse__Output>): grpc.ClientUnaryCall;
  certify(argument: _weft_identity_CertifyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_weft_identity_CertifyResponse__Output>): grpc.ClientUnaryCall;
  certify(argument: _weft_identity_CertifyRequest, callback: grpc.requestCallback<_weft_identity_CertifyResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface IdentityHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Certify signs a CSR for the identity that the token proves.
   */
  Certify: grpc.handleUnaryCall<_weft_identity_CertifyRequest__Output, _weft_identity_CertifyResponse>;
  
}

export interface IdentityDefinition extends grpc.ServiceDefinition {
  Certify: MethodDefinition<_weft_identity_CertifyRequest, _weft_identity_CertifyResponse, _weft_identity_CertifyRequest__Output, _weft_identity_CertifyResponse__Output>
}

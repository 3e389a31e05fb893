import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from './google/protobuf/Timestamp.ts';
import type { CertifyRequest as _weft_identity_CertifyRequest, CertifyRequest__Output as _weft_identity_CertifyRequest__Output } from './weft/identity/CertifyRequest.ts';
import type { CertifyResponse as _weft_identity_CertifyResponse, CertifyResponse__Output as _weft_identity_CertifyResponse__Output } from './weft/identity/CertifyResponse.ts';
import type { IdentityClient as _weft_identity_IdentityClient, IdentityDefinition as _weft_identity_IdentityDefinition } from './weft/identity/Identity.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  google: {
    protobuf: {
      Timestamp: MessageTypeDefinition<_google_protobuf_Timestamp, _google_protobuf_Timestamp__Output>
    }
  }
  weft: {
    identity: {
      CertifyRequest: MessageTypeDefinition<_weft_identity_CertifyRequest, _weft_identity_CertifyRequest__Output>
      CertifyResponse: MessageTypeDefinition<_weft_identity_CertifyResponse, _weft_identity_CertifyResponse__Output>
      Identity: SubtypeConstructor<typeof grpc.Client, _weft_identity_IdentityClient> & { service: _weft_identity_IdentityDefinition }
    }
  }
}


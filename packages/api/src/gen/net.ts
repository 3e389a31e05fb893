import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { TcpAddress as _weft_net_TcpAddress, TcpAddress__Output as _weft_net_TcpAddress__Output } from './weft/net/TcpAddress.ts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  weft: {
    net: {
      TcpAddress: MessageTypeDefinition<_weft_net_TcpAddress, _weft_net_TcpAddress__Output>
    }
  }
}


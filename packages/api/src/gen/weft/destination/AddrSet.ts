// Original file: proto/destination.proto

import type { TcpAddress as _weft_net_TcpAddress, TcpAddress__Output as _weft_net_TcpAddress__Output } from '../../weft/net/TcpAddress.ts';

export interface AddrSet {
  'addrs'?: (_weft_net_TcpAddress)[];
}

export interface AddrSet__Output {
  'addrs': (_weft_net_TcpAddress__Output)[];
}

// Original file: proto/destination.proto

import type { TcpAddress as _weft_net_TcpAddress, TcpAddress__Output as _weft_net_TcpAddress__Output } from '../../weft/net/TcpAddress.ts';
import type { TlsIdentity as _weft_destination_TlsIdentity, TlsIdentity__Output as _weft_destination_TlsIdentity__Output } from '../../weft/destination/TlsIdentity.ts';
import type { ProtocolHint as _weft_destination_ProtocolHint, ProtocolHint__Output as _weft_destination_ProtocolHint__Output } from '../../weft/destination/ProtocolHint.ts';

export interface WeightedAddr {
  'addr'?: (_weft_net_TcpAddress | null);
  'weight'?: (number);
  /**
   * pod, deployment, serviceaccount, ...; the proxy prefixes them with dst_.
   */
  'metricLabels'?: ({[key: string]: string});
  /**
   * Set when the endpoint is meshed: who it must prove to be.
   */
  'tlsIdentity'?: (_weft_destination_TlsIdentity | null);
  'protocolHint'?: (_weft_destination_ProtocolHint | null);
}

export interface WeightedAddr__Output {
  'addr': (_weft_net_TcpAddress__Output | null);
  'weight': (number);
  /**
   * pod, deployment, serviceaccount, ...; the proxy prefixes them with dst_.
   */
  'metricLabels': ({[key: string]: string});
  /**
   * Set when the endpoint is meshed: who it must prove to be.
   */
  'tlsIdentity': (_weft_destination_TlsIdentity__Output | null);
  'protocolHint': (_weft_destination_ProtocolHint__Output | null);
}

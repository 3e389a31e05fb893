// Original file: proto/destination.proto


export interface _weft_destination_ProtocolHint_H2 {
}

export interface _weft_destination_ProtocolHint_H2__Output {
}

export interface _weft_destination_ProtocolHint_Opaque {
}

export interface _weft_destination_ProtocolHint_Opaque__Output {
}

export interface ProtocolHint {
  /**
   * The peer is a meshed proxy that speaks HTTP/2 between proxies.
   */
  'h2'?: (_weft_destination_ProtocolHint_H2 | null);
  /**
   * The port carries opaque TCP; do not detect a protocol.
   */
  'opaque'?: (_weft_destination_ProtocolHint_Opaque | null);
  /**
   * The peer proxy's inbound port, when the connection goes to it directly.
   */
  'inboundPort'?: (number);
  'protocol'?: "h2"|"opaque";
}

export interface ProtocolHint__Output {
  /**
   * The peer is a meshed proxy that speaks HTTP/2 between proxies.
   */
  'h2'?: (_weft_destination_ProtocolHint_H2__Output | null);
  /**
   * The port carries opaque TCP; do not detect a protocol.
   */
  'opaque'?: (_weft_destination_ProtocolHint_Opaque__Output | null);
  /**
   * The peer proxy's inbound port, when the connection goes to it directly.
   */
  'inboundPort': (number);
  'protocol'?: "h2"|"opaque";
}

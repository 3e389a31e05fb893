// Original file: proto/destination.proto


export interface TlsIdentity {
  /**
   * The DNS-like identity the server's certificate carries.
   */
  'name'?: (string);
  /**
   * The value the client sends as SNI.
   */
  'serverName'?: (string);
}

export interface TlsIdentity__Output {
  /**
   * The DNS-like identity the server's certificate carries.
   */
  'name': (string);
  /**
   * The value the client sends as SNI.
   */
  'serverName': (string);
}

// Original file: proto/net.proto


/**
 * An IP address and port. The IP is text (v4 dotted or v6) so that logs and
 * diagnostics read it as they are; the proxy parses it once per endpoint.
 */
export interface TcpAddress {
  'ip'?: (string);
  'port'?: (number);
}

/**
 * An IP address and port. The IP is text (v4 dotted or v6) so that logs and
 * diagnostics read it as they are; the proxy parses it once per endpoint.
 */
export interface TcpAddress__Output {
  'ip': (string);
  'port': (number);
}

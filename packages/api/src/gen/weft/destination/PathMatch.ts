// Original file: proto/destination.proto


export interface PathMatch {
  /**
   * Anchored at both ends.
   */
  'regex'?: (string);
}

export interface PathMatch__Output {
  /**
   * Anchored at both ends.
   */
  'regex': (string);
}

// Original file: proto/destination.proto


export interface WeightedDst {
  /**
   * An authority to resolve with Get, `name:port`.
   */
  'authority'?: (string);
  /**
   * Relative weight; 10000 is 100 % of one share.
   */
  'weight'?: (number);
}

export interface WeightedDst__Output {
  /**
   * An authority to resolve with Get, `name:port`.
   */
  'authority': (string);
  /**
   * Relative weight; 10000 is 100 % of one share.
   */
  'weight': (number);
}

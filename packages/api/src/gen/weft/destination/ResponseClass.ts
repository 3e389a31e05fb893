// Original file: proto/destination.proto

import type { ResponseMatch as _weft_destination_ResponseMatch, ResponseMatch__Output as _weft_destination_ResponseMatch__Output } from '../../weft/destination/ResponseMatch.ts';

export interface ResponseClass {
  'condition'?: (_weft_destination_ResponseMatch | null);
  'isFailure'?: (boolean);
}

export interface ResponseClass__Output {
  'condition': (_weft_destination_ResponseMatch__Output | null);
  'isFailure': (boolean);
}

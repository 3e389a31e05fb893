// Original file: proto/destination.proto

import type { ResponseMatch as _weft_destination_ResponseMatch, ResponseMatch__Output as _weft_destination_ResponseMatch__Output } from '../../weft/destination/ResponseMatch.ts';
import type { HttpStatusRange as _weft_destination_HttpStatusRange, HttpStatusRange__Output as _weft_destination_HttpStatusRange__Output } from '../../weft/destination/HttpStatusRange.ts';

export interface _weft_destination_ResponseMatch_Seq {
  'matches'?: (_weft_destination_ResponseMatch)[];
}

export interface _weft_destination_ResponseMatch_Seq__Output {
  'matches': (_weft_destination_ResponseMatch__Output)[];
}

export interface ResponseMatch {
  'all'?: (_weft_destination_ResponseMatch_Seq | null);
  'any'?: (_weft_destination_ResponseMatch_Seq | null);
  'not'?: (_weft_destination_ResponseMatch | null);
  'status'?: (_weft_destination_HttpStatusRange | null);
  'match'?: "all"|"any"|"not"|"status";
}

export interface ResponseMatch__Output {
  'all'?: (_weft_destination_ResponseMatch_Seq__Output | null);
  'any'?: (_weft_destination_ResponseMatch_Seq__Output | null);
  'not'?: (_weft_destination_ResponseMatch__Output | null);
  'status'?: (_weft_destination_HttpStatusRange__Output | null);
  'match'?: "all"|"any"|"not"|"status";
}

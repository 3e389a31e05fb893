// Original file: proto/destination.proto

import type { RequestMatch as _weft_destination_RequestMatch, RequestMatch__Output as _weft_destination_RequestMatch__Output } from '../../weft/destination/RequestMatch.ts';
import type { PathMatch as _weft_destination_PathMatch, PathMatch__Output as _weft_destination_PathMatch__Output } from '../../weft/destination/PathMatch.ts';

export interface _weft_destination_RequestMatch_Seq {
  'matches'?: (_weft_destination_RequestMatch)[];
}

export interface _weft_destination_RequestMatch_Seq__Output {
  'matches': (_weft_destination_RequestMatch__Output)[];
}

export interface RequestMatch {
  'all'?: (_weft_destination_RequestMatch_Seq | null);
  'any'?: (_weft_destination_RequestMatch_Seq | null);
  'not'?: (_weft_destination_RequestMatch | null);
  'path'?: (_weft_destination_PathMatch | null);
  'method'?: (string);
  'match'?: "all"|"any"|"not"|"path"|"method";
}

export interface RequestMatch__Output {
  'all'?: (_weft_destination_RequestMatch_Seq__Output | null);
  'any'?: (_weft_destination_RequestMatch_Seq__Output | null);
  'not'?: (_weft_destination_RequestMatch__Output | null);
  'path'?: (_weft_destination_PathMatch__Output | null);
  'method'?: (string);
  'match'?: "all"|"any"|"not"|"path"|"method";
}

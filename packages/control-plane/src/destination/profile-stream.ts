import type { ServerWritableStream } from '@grpc/grpc-js';
import type { GetDestination__Output } from '@weft/api/gen/weft/destination/GetDestination.ts';
import { followCall } from './follow-call.ts';
import type { ProfileTopic } from './profile-index.ts';

/** One GetProfile stream: the whole profile, sent again whenever it changes; a slow client gets only the latest. */
export class ProfileStream {
  private readonly call: ServerWritableStream<GetDestination__Output, Buffer>;
  private readonly topic: ProfileTopic;
  private sentVersion = -1;
  private blocked = false;

  constructor(
    call: ServerWritableStream<GetDestination__Output, Buffer>,
    join: (stream: ProfileStream) => ProfileTopic,
    leave: (stream: ProfileStream, topic: ProfileTopic) => void,
  ) {
    this.call = call;
    this.topic = join(this);
    followCall(
      call,
      () => leave(this, this.topic),
      () => {
        this.blocked = false;
        this.flush();
      },
    );
    this.flush();
  }

  flush(): void {
    if (this.blocked || this.call.cancelled || this.sentVersion === this.topic.version) return;
    this.sentVersion = this.topic.version;
    if (!this.call.write(this.topic.encoded)) this.blocked = true;
  }
}

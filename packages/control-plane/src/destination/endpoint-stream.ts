import type { ServerWritableStream } from '@grpc/grpc-js';
import type { GetDestination__Output } from '@weft/api/gen/weft/destination/GetDestination.ts';
import type { EndpointTopic, Outgoing } from './endpoint-topic.ts';
import type { ResolvedEndpoints } from './endpoints.ts';
import { followCall } from './follow-call.ts';

/**
 * One Get stream. It remembers which endpoint set it last sent. While the
 * client is slow (write buffer full) changes are not queued: after 'drain' one
 * diff covers them all, so memory per stream stays bounded however fast
 * endpoints churn.
 */
export class EndpointStream {
  private readonly call: ServerWritableStream<GetDestination__Output, Outgoing>;
  private readonly topic: EndpointTopic;
  private sent: ResolvedEndpoints | undefined;
  private blocked = false;
  private readonly onSent: (n: number) => void;

  constructor(
    call: ServerWritableStream<GetDestination__Output, Outgoing>,
    join: (stream: EndpointStream) => EndpointTopic,
    leave: (stream: EndpointStream, topic: EndpointTopic) => void,
    onSent: (n: number) => void,
  ) {
    this.call = call;
    this.onSent = onSent;
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
    if (this.blocked || this.call.cancelled) return;
    const updates = this.topic.updatesSince(this.sent);
    this.sent = this.topic.current;
    for (const update of updates) {
      if (!this.call.write(update)) this.blocked = true;
    }
    this.onSent(updates.length);
  }
}

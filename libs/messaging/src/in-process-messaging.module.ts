import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { InProcessTransport } from './in-process.transport';
import { MESSAGE_TRANSPORT, type MessageTransport } from './message-transport';

/** Provides `MESSAGE_TRANSPORT` as one `InProcessTransport` for the whole process (embedded default, tests). */
@Global()
@Module({
  providers: [{ provide: MESSAGE_TRANSPORT, useFactory: () => new InProcessTransport() }],
  exports: [MESSAGE_TRANSPORT],
})
export class InProcessMessagingModule implements OnApplicationShutdown {
  constructor(@Inject(MESSAGE_TRANSPORT) private readonly transport: MessageTransport) {}

  async onApplicationShutdown(): Promise<void> {
    await this.transport.stop();
  }
}

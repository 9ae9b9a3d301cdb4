import { Global, Inject, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { MESSAGE_TRANSPORT } from '../message-transport';
import { KafkaTransport, type KafkaTransportOptions } from './kafka.transport';

/**
 * Provides `MESSAGE_TRANSPORT` as one `KafkaTransport` for the whole process (a service deployed alone).
 *
 * Lifecycle: consumers subscribe in `onModuleInit`; the transport starts in `onApplicationBootstrap`
 * (Nest runs a global module's hooks before those of the modules that import it, so relays find it
 * started; a relay page published earlier fails and is retried). It stops in `beforeApplicationShutdown`:
 * after the services' subscriptions stopped (`onModuleDestroy`), before TypeORM closes the pools that
 * consumers in flight still use (`onApplicationShutdown`).
 */
@Global()
@Module({})
export class KafkaMessagingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(MESSAGE_TRANSPORT) private readonly transport: KafkaTransport) {}

  /** @param options passed to `new KafkaTransport`, which throws naming every invalid option. */
  static register(options: KafkaTransportOptions): DynamicModule {
    return {
      module: KafkaMessagingModule,
      providers: [{ provide: MESSAGE_TRANSPORT, useFactory: () => new KafkaTransport(options) }],
      exports: [MESSAGE_TRANSPORT],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.transport.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.transport.stop();
  }
}

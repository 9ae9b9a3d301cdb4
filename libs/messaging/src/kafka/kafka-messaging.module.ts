import { Global, Inject, Logger, Module, type BeforeApplicationShutdown, type DynamicModule, type OnApplicationBootstrap } from '@nestjs/common';
import { MESSAGE_TRANSPORT } from '../message-transport';
import { KafkaTransport, type KafkaTransportOptions } from './kafka.transport';

/** Backoff between start attempts while the cluster cannot be reached (ms): 0.5 s doubling to 30 s. */
export const KAFKA_START_RETRY = Object.freeze({ initialDelayMs: 500, maxDelayMs: 30_000 });

/**
 * Provides `MESSAGE_TRANSPORT` as one `KafkaTransport` for the whole process (a service deployed alone).
 *
 * Lifecycle: consumers subscribe in `onModuleInit`; the transport starts in `onApplicationBootstrap`
 * (Nest runs a global module's hooks before those of the modules that import it). It starts in the
 * background and retries with backoff until it has joined every consumer group: joining can take a
 * whole session timeout after a crash (the broker waits for the dead member), and the HTTP listener —
 * `/health/live` for the liveness probe, `/health/ready` answering 503 "transport is not started" —
 * must not wait for it. Relay pages published before the start fail and are retried by the relay.
 * It stops in `beforeApplicationShutdown`: after the services' subscriptions stopped
 * (`onModuleDestroy`), before TypeORM closes the pools that consumers in flight still use
 * (`onApplicationShutdown`).
 */
@Global()
@Module({})
export class KafkaMessagingModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('KafkaMessaging');
  private starting: Promise<void> | null = null;
  private shuttingDown = false;
  private wake: () => void = () => undefined;

  constructor(@Inject(MESSAGE_TRANSPORT) private readonly transport: KafkaTransport) {}

  /** @param options passed to `new KafkaTransport`, which throws naming every invalid option. */
  static register(options: KafkaTransportOptions): DynamicModule {
    return {
      module: KafkaMessagingModule,
      providers: [{ provide: MESSAGE_TRANSPORT, useFactory: () => new KafkaTransport(options) }],
      exports: [MESSAGE_TRANSPORT],
    };
  }

  onApplicationBootstrap(): void {
    this.starting = this.startUntilJoined();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    this.wake();
    await this.starting;
    await this.transport.stop();
  }

  private async startUntilJoined(): Promise<void> {
    let delayMs: number = KAFKA_START_RETRY.initialDelayMs;
    while (!this.shuttingDown) {
      try {
        await this.transport.start();
        this.logger.log('joined every consumer group; consuming');
        return;
      } catch (error) {
        this.logger.warn(`could not start (retrying in ${delayMs} ms): ${error instanceof Error ? error.message : String(error)}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      delayMs = Math.min(delayMs * 2, KAFKA_START_RETRY.maxDelayMs);
    }
  }
}

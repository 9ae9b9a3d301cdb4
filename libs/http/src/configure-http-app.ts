import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ProblemDetailsFilter } from './problem-details.filter';
import { createValidationPipe } from './validation';

/**
 * Applies Fireline's HTTP conventions to an app (each service's main, the embedded platform, tests):
 * JSON bodies only, DTO validation that rejects unknown fields, and RFC 9457 problem details for every error.
 */
export function configureHttpApp(app: NestFastifyApplication): NestFastifyApplication {
  // JSON only: a text/plain body is refused with 415 instead of reaching a DTO as a string.
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new ProblemDetailsFilter());
  return app;
}

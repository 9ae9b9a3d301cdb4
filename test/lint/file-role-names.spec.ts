import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
// The rule is CommonJS so that both eslint.config.mjs and jest load it as it is.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rule = require('../../tools/lint/file-role-names.cjs') as import('eslint').Rule.RuleModule;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser as never } });
const misnamed = (file: string, role: string, suffix: string) => ({ messageId: 'misnamed', data: { file, role, suffix } });

describe('fireline/file-role-names', () => {
  tester.run('file-role-names', rule, {
    valid: [
      { filename: 'apps/x/src/incidents/http/incidents.http.controller.ts', code: '@Controller("v1") export class IncidentsHttpController {}' },
      { filename: 'apps/x/src/alert-intake/ledger/reprocess-alert-delivery.command.ts', code: '@CommandHandler(X) export class H {} export class X {}' },
      { filename: 'apps/x/src/incidents/http/incident.request.dto.ts', code: 'export class DeclareIncidentRequest {}' },
      { filename: 'apps/x/src/a/http/b.request.dto.ts', code: 'export class ListDeliveriesRequestDto {}' },
      { filename: 'apps/x/src/a/b.migration.ts', code: 'export class CreateThings1 implements MigrationInterface {} export const LIST = [CreateThings1];' },
      { filename: 'apps/x/src/a/domain/thing.decider.ts', code: 'export const thingDecider: Decider<C, E, S> = { decide, evolve, initialState };' },
      { filename: 'libs/o/src/observability.module.ts', code: '@Controller() class Health {} @Module({ controllers: [Health] }) export class ObservabilityModule {}' },
      // A controller may declare the small response class it answers with.
      { filename: 'apps/x/src/a/alertmanager.http.controller.ts', code: 'export class AlertmanagerAcceptedResponse {} @Controller() export class C {}' },
      // Tests are not checked; files of no role are not either.
      { filename: 'apps/x/src/a/execute-thing-command.spec.ts', code: '@CommandHandler(X) class H {}' },
      { filename: 'apps/x/src/a/alert-stream.ts', code: 'export function alertStreamId() {}' },
    ],
    invalid: [
      { filename: 'apps/x/src/incidents/application/execute-incident-command.ts', code: '@CommandHandler(X) export class H {}', errors: [misnamed('execute-incident-command.ts', 'command handler', '.command.ts')] },
      { filename: 'apps/x/src/incidents/application/incident-queries.ts', code: '@QueryHandler(Q) export class H {}', errors: [misnamed('incident-queries.ts', 'query handler', '.query.ts')] },
      { filename: 'apps/x/src/incidents/http/incident.request.dtos.ts', code: 'export class DeclareIncidentRequest {}', errors: [misnamed('incident.request.dtos.ts', 'request DTO', '.request.dto.ts')] },
      { filename: 'apps/x/src/alerts/http/events-v2-event.request.ts', code: 'export class EventsV2EventRequest {}', errors: [misnamed('events-v2-event.request.ts', 'request DTO', '.request.dto.ts')] },
      { filename: 'apps/x/src/a/http/events-v2.response.ts', code: 'export class EventsV2AcceptedResponse {}', errors: [misnamed('events-v2.response.ts', 'response DTO', '.response.dto.ts')] },
      { filename: 'libs/h/src/subscriptions-admin.controller.ts', code: '@Controller() export class C {}', errors: [misnamed('subscriptions-admin.controller.ts', 'controller', '.http.controller.ts')] },
      { filename: 'libs/m/src/messaging.migrations.ts', code: 'export class A1 implements MigrationInterface {}', errors: [misnamed('messaging.migrations.ts', 'migration', '.migration.ts')] },
      { filename: 'apps/x/src/a/thing.ts', code: 'export const thingProjection: Projection = { name: "t" };', errors: [misnamed('thing.ts', 'projection', '.projection.ts')] },
      {
        filename: 'apps/x/src/a/do-thing.command.ts',
        code: 'export function doThing() {}',
        errors: [{ messageId: 'notThatRole', data: { file: 'do-thing.command.ts', role: 'command handler', suffix: '.command.ts' } }],
      },
    ],
  });
});

import { aStatusUpdatePosted, anIncidentDeclared, anIncidentReopened, anIncidentResolved, anIncidentStatusChanged, aTimelineNoteAdded, minutesAfterTestNow } from '../../incidents/testing/incident.factories';
import { publicIncidentFacts, RESOLVED_UPDATE_BODY } from './public-incident-facts';

const at = (m: number) => minutesAfterTestNow(m).toISOString();

describe(publicIncidentFacts.name, () => {
  it('publishes external updates with the lifecycle status of their moment, or their override, and never internal ones', () => {
    const facts = publicIncidentFacts([
      anIncidentDeclared({ at: at(0) }),
      aStatusUpdatePosted({ updateId: 'u1', audience: 'external', message: 'Looking into it', at: at(1) }),
      aStatusUpdatePosted({ updateId: 'u2', audience: 'internal', message: 'primary disk at 100%, failover?', at: at(2) }),
      aTimelineNoteAdded({ text: 'secret note', at: at(2) }),
      anIncidentStatusChanged({ from: 'detected', to: 'mitigating', at: at(3) }),
      aStatusUpdatePosted({ updateId: 'u3', audience: 'external', message: 'Fix deployed', at: at(4) }),
      aStatusUpdatePosted({ updateId: 'u4', audience: 'external', message: 'Cause found', at: at(5), publicStatus: 'identified' }),
      anIncidentResolved({ at: at(6), summary: 'internal resolution summary' }),
      anIncidentReopened({ at: at(7) }),
    ]);
    expect(facts?.updates.map((u) => [u.sourceId, u.status, u.body])).toEqual([
      ['update:u1', 'investigating', 'Looking into it'],
      ['update:u3', 'monitoring', 'Fix deployed'],
      ['update:u4', 'identified', 'Cause found'],
      ['resolved:1', 'resolved', RESOLVED_UPDATE_BODY],
      ['reopened:1', 'investigating', expect.any(String)],
    ]);
    expect(JSON.stringify(facts)).not.toMatch(/secret|failover|internal resolution/);
    expect(facts?.resolved).toBe(false);
  });

  it('returns null for a stream without a declaration', () => {
    expect(publicIncidentFacts([])).toBeNull();
  });
});

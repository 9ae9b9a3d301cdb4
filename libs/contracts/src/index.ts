export * from './envelope';
export * from './topics';
export * from './incidents/incident-events.v1';
export * from './postmortems/postmortem-events.v1';
export * from './status-pages/status-page-events.v1';
export * from './access/access-events.v1';

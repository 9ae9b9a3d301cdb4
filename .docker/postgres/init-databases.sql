-- Run once by the postgres image (mounted into /docker-entrypoint-initdb.d) when its data volume is
-- empty, as the superuser. One database per service, owned by that service's own login role, and no
-- CONNECT for anyone else: a service cannot read another service's tables.
-- Development credentials: docker-compose.yml's *_DATABASE_URL values must match them
-- (test/deploy/docker-compose.spec.ts checks that they do).

CREATE ROLE fireline_incident LOGIN PASSWORD 'fireline_incident';
CREATE DATABASE fireline_incident OWNER fireline_incident;
REVOKE ALL ON DATABASE fireline_incident FROM PUBLIC;

CREATE ROLE fireline_notification LOGIN PASSWORD 'fireline_notification';
CREATE DATABASE fireline_notification OWNER fireline_notification;
REVOKE ALL ON DATABASE fireline_notification FROM PUBLIC;

CREATE ROLE fireline_postmortem LOGIN PASSWORD 'fireline_postmortem';
CREATE DATABASE fireline_postmortem OWNER fireline_postmortem;
REVOKE ALL ON DATABASE fireline_postmortem FROM PUBLIC;

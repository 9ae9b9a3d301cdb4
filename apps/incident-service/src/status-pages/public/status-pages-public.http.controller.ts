import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@fireline/errors';
import { PROBLEM_JSON } from '@fireline/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml } from './html-template';
import { PublicStatusPages, ReplayBusyError, type PublicResource, type RenderedRepresentation } from './public-status-pages';
import type { StatuspageV2Resource } from './statuspage-v2';

/** Browsers, CDNs and aggregators may keep a current representation this long (s): short, so an outage shows fast. */
export const PUBLIC_MAX_AGE_S = 10;
/** `?at=` in the past does not change: cached longer. */
export const AS_OF_MAX_AGE_S = 300;

const AT_QUERY = { name: 'at', required: false, description: 'ISO-8601 time: the page as it was then (replayed from its events)', example: '2026-03-01T10:00:00Z' };

/**
 * The public surface of status pages (no credentials): the HTML page, Atlassian Statuspage's public API
 * v2 (same paths under `/status/{slug}/api/v2/`), and Atom/RSS feeds of the incident history. Every
 * answer carries a strong `ETag` (304 on `If-None-Match`) and `Cache-Control: public`; the JSON allows
 * any origin (widgets read it from browsers). Unknown query parameters are ignored (widgets add their own).
 */
@ApiTags('status pages (public)')
@Controller('status')
export class StatusPagesPublicHttpController {
  constructor(private readonly pages: PublicStatusPages) {}

  @Get(':slug')
  @ApiOperation({ summary: 'The public status page (HTML, no JavaScript needed)' })
  @ApiProduces('text/html')
  @ApiQuery(AT_QUERY)
  async page(@Param('slug') slug: string, @Query('at') at: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    try {
      await this.send({ kind: 'html' }, slug, at, request, reply);
    } catch (error) {
      // Browsers (which ask for HTML) get a page; API clients and tools the usual problem+json.
      if (!(error instanceof NotFoundError) || !acceptsHtml(request)) throw error;
      void reply
        .status(404)
        .header('content-type', 'text/html; charset=utf-8')
        .header('cache-control', `public, max-age=${PUBLIC_MAX_AGE_S}`)
        .send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><main><h1>No such status page</h1><p>${escapeHtml(error.message)}</p></main></body></html>`);
    }
  }

  @Get(':slug/history.atom')
  @ApiOperation({ summary: 'Incident history as an Atom feed' })
  @ApiProduces('application/atom+xml')
  atom(@Param('slug') slug: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send({ kind: 'feed', format: 'atom' }, slug, undefined, request, reply);
  }

  @Get(':slug/history.rss')
  @ApiOperation({ summary: 'Incident history as an RSS 2.0 feed' })
  @ApiProduces('application/rss+xml')
  rss(@Param('slug') slug: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    return this.send({ kind: 'feed', format: 'rss' }, slug, undefined, request, reply);
  }

  @Get(':slug/api/v2/summary.json')
  @ApiOperation({ summary: 'Statuspage v2: page, components, unresolved incidents, upcoming and active maintenance, status' })
  @ApiQuery(AT_QUERY)
  summary(@Param('slug') slug: string, @Query('at') at: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.json('summary', slug, at, request, reply);
  }

  @Get(':slug/api/v2/status.json')
  @ApiOperation({ summary: 'Statuspage v2: the page indicator and description' })
  @ApiQuery(AT_QUERY)
  status(@Param('slug') slug: string, @Query('at') at: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.json('status', slug, at, request, reply);
  }

  @Get(':slug/api/v2/components.json')
  @ApiOperation({ summary: 'Statuspage v2: components and groups' })
  @ApiQuery(AT_QUERY)
  components(@Param('slug') slug: string, @Query('at') at: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.json('components', slug, at, request, reply);
  }

  @Get(':slug/api/v2/incidents.json')
  @ApiOperation({ summary: 'Statuspage v2: the 50 most recent incidents' })
  @ApiQuery(AT_QUERY)
  incidents(@Param('slug') slug: string, @Query('at') at: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.json('incidents', slug, at, request, reply);
  }

  @Get(':slug/api/v2/incidents/unresolved.json')
  @ApiOperation({ summary: 'Statuspage v2: unresolved incidents' })
  @ApiQuery(AT_QUERY)
  unresolved(@Param('slug') slug: string, @Query('at') at: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.json('incidents/unresolved', slug, at, request, reply);
  }

  @Get(':slug/api/v2/scheduled-maintenances.json')
  @ApiOperation({ summary: 'Statuspage v2: the 50 most recent scheduled maintenances' })
  @ApiQuery(AT_QUERY)
  maintenances(@Param('slug') slug: string, @Query('at') at: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.json('scheduled-maintenances', slug, at, request, reply);
  }

  @Get(':slug/api/v2/scheduled-maintenances/upcoming.json')
  @ApiOperation({ summary: 'Statuspage v2: maintenances still scheduled' })
  @ApiQuery(AT_QUERY)
  upcoming(@Param('slug') slug: string, @Query('at') at: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.json('scheduled-maintenances/upcoming', slug, at, request, reply);
  }

  @Get(':slug/api/v2/scheduled-maintenances/active.json')
  @ApiOperation({ summary: 'Statuspage v2: maintenances in progress or verifying' })
  @ApiQuery(AT_QUERY)
  active(@Param('slug') slug: string, @Query('at') at: string | undefined, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    return this.json('scheduled-maintenances/active', slug, at, request, reply);
  }

  private json(resource: StatuspageV2Resource, slug: string, at: string | undefined, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    void reply.header('access-control-allow-origin', '*');
    return this.send({ kind: 'json', resource }, slug, at, request, reply);
  }

  private async send(resource: PublicResource, slug: string, at: string | undefined, request: FastifyRequest, reply: FastifyReply): Promise<void> {
    let rendered: RenderedRepresentation;
    try {
      rendered = await this.pages.represent(slug, resource, at);
    } catch (error) {
      if (!(error instanceof ReplayBusyError)) throw error;
      void reply
        .status(503)
        .header('retry-after', '1')
        .header('content-type', PROBLEM_JSON)
        .send({ type: 'about:blank', title: 'Service Unavailable', status: 503, code: 'STATUS_PAGE.REPLAY_BUSY', detail: error.message });
      return;
    }
    void reply.header('etag', rendered.etag).header('cache-control', `public, max-age=${at === undefined ? PUBLIC_MAX_AGE_S : AS_OF_MAX_AGE_S}`).header('vary', 'Accept-Encoding');
    if (matches(request.headers['if-none-match'], rendered.etag)) {
      void reply.status(304).send();
      return;
    }
    void reply.status(200).header('content-type', rendered.contentType).send(rendered.body);
  }
}

function acceptsHtml(request: FastifyRequest): boolean {
  return /\btext\/html\b/.test(String(request.headers.accept ?? ''));
}

/** RFC 9110 `If-None-Match`: `*` or a list of (weak or strong) tags, compared weakly. */
function matches(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  if (value.trim() === '*') return true;
  return value.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

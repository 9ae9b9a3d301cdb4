import { Public } from '@fireline/auth';
import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@fireline/errors';
import { ACCEPTS_FORM_POSTS } from '@fireline/http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConfirmSubscription } from '../commands/confirm-subscription.command';
import { SubscribeByEmail } from '../commands/subscribe-by-email.command';
import type { LinkedPage } from '../commands/subscription-link.errors';
import { Unsubscribe } from '../commands/unsubscribe.command';
import { GetConfirmationLink, GetUnsubscribeLink } from '../projections/subscription-links.query';
import { ConfirmLinkRequestDto, SubscribeRequestDto, UnsubscribeLinkRequestDto } from './status-page-subscriber.request.dto';
import { subscriptionPage } from './subscription.html';

/** The answer to every subscribe request that passes validation and the per-client limit: it says nothing about the address. */
export const SUBSCRIBE_ANSWER = Object.freeze({
  status: 'confirmation_sent',
  message: 'If this address can subscribe, a confirmation email is on its way. Nothing is sent until the link in it is used.',
});

function acceptsHtml(request: FastifyRequest): boolean {
  return /text\/html/i.test(request.headers.accept ?? '');
}

function sendHtml(reply: FastifyReply, status: number, html: string): void {
  void reply.status(status).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store').header('referrer-policy', 'no-referrer').send(html);
}

/**
 * The public (no credentials) subscription routes of a status page, under `/status/{slug}/subscriptions`
 * beside the page itself. Email only (webhook subscribers are added by the page's operators):
 * subscribe (double opt-in), confirm, unsubscribe (RFC 8058 one-click POST, or the page's button).
 * A link's GET shows a page with a button; only POSTs change anything. Tokens are never logged.
 */
@ApiTags('status pages (public)')
@Controller('status')
export class StatusPageSubscriptionsHttpController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  /**
   * 202 `{ status: "confirmation_sent" }` whatever is known of the address (new, pending, subscribed,
   * over its hourly limit). 429 with `Retry-After` past the per-client limit or when the page holds its
   * maximum of unconfirmed subscriptions; 409 `STATUS_PAGE_SUBSCRIPTION.EMAIL_DISABLED` without SMTP.
   */
  @Public('Status-page readers subscribe without an account (double opt-in by email, rate-limited per client address)')
  @Post(':slug/subscriptions')
  @HttpCode(202)
  @ApiOperation({ summary: 'Subscribe an email address to a status page (double opt-in)' })
  async subscribe(@Param('slug') slug: string, @Body() body: SubscribeRequestDto, @Req() request: FastifyRequest): Promise<typeof SUBSCRIBE_ANSWER> {
    await this.commandBus.execute(new SubscribeByEmail(slug, body.email, body.componentIds ?? [], request.ip));
    return SUBSCRIBE_ANSWER;
  }

  @Public('Confirmation link of a subscription email: the single-use token is the credential')
  @Get(':slug/subscriptions/confirm')
  @ApiOperation({ summary: 'The confirmation link of the email: a page with a button that confirms' })
  @ApiProduces('text/html')
  async confirmPage(@Param('slug') slug: string, @Query() query: ConfirmLinkRequestDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.html(request, reply, async () => {
      const page = await this.queryBus.execute(new GetConfirmationLink(slug, query.token));
      return subscriptionPage(`Confirm your subscription to ${page.name}`, ['Press the button to start getting status updates by email.'], { action: request.url, button: 'Confirm subscription' }, page);
    });
  }

  /** 200: the subscription is active. 404 `STATUS_PAGE_SUBSCRIPTION.LINK_INVALID` for an unknown, expired or used token. */
  @Public('Confirmation link of a subscription email: the single-use token is the credential')
  @Post(':slug/subscriptions/confirm')
  @HttpCode(200)
  @RouteConfig(ACCEPTS_FORM_POSTS)
  @ApiOperation({ summary: 'Confirm an email subscription (double opt-in); the token works once' })
  async confirm(@Param('slug') slug: string, @Query() query: ConfirmLinkRequestDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const page = await this.commandBus.execute<ConfirmSubscription, LinkedPage>(new ConfirmSubscription(slug, query.token));
    if (acceptsHtml(request)) {
      sendHtml(reply, 200, subscriptionPage(`Subscribed to ${page.name}`, ['You will get an email when something changes. Every email has a link to unsubscribe.'], null, page));
      return;
    }
    void reply.status(200).send({ status: 'active' });
  }

  @Public('Unsubscribe link of every notification: the subscriber id and its token are the credential')
  @Get(':slug/subscriptions/unsubscribe')
  @ApiOperation({ summary: 'The unsubscribe link of every notification: a page with a button that unsubscribes' })
  @ApiProduces('text/html')
  async unsubscribePage(@Param('slug') slug: string, @Query() query: UnsubscribeLinkRequestDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    await this.html(request, reply, async () => {
      const link = await this.queryBus.execute(new GetUnsubscribeLink(slug, query.id, query.token));
      return link.subscribed
        ? subscriptionPage(`Unsubscribe from ${link.name}`, ['Press the button to stop getting status updates.'], { action: request.url, button: 'Unsubscribe' }, link)
        : subscriptionPage(`Unsubscribed from ${link.name}`, ['This address gets no more status updates of this page.'], null, link);
    });
  }

  /**
   * 200: unsubscribed (RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` here, form-encoded).
   * Safe to repeat. 404 `STATUS_PAGE_SUBSCRIPTION.LINK_INVALID` for a wrong id or token.
   */
  @Public('RFC 8058 one-click unsubscribe: the subscriber id and its token are the credential')
  @Post(':slug/subscriptions/unsubscribe')
  @HttpCode(200)
  @RouteConfig(ACCEPTS_FORM_POSTS)
  @ApiOperation({ summary: 'Unsubscribe (RFC 8058 one-click POST, or the button of the unsubscribe page)' })
  async unsubscribe(@Param('slug') slug: string, @Query() query: UnsubscribeLinkRequestDto, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const result = await this.commandBus.execute<Unsubscribe, LinkedPage & { alreadyUnsubscribed: boolean }>(new Unsubscribe(slug, query.id, query.token));
    if (acceptsHtml(request)) {
      sendHtml(reply, 200, subscriptionPage(`Unsubscribed from ${result.name}`, ['This address gets no more status updates of this page.'], null, result));
      return;
    }
    void reply.status(200).send({ status: 'unsubscribed' });
  }

  /** Renders a link's page; a bad link is a 404 page for browsers, problem+json for everyone else. */
  private async html(request: FastifyRequest, reply: FastifyReply, render: () => Promise<string>): Promise<void> {
    try {
      sendHtml(reply, 200, await render());
    } catch (error) {
      if (!(error instanceof NotFoundError) || !acceptsHtml(request)) throw error;
      sendHtml(reply, 404, subscriptionPage('This link does not work', [error.message], null, null));
    }
  }
}

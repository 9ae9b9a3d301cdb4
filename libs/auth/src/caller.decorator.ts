import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ANONYMOUS, principalOf, type Principal } from './principal';

/** Parameter decorator: the `Principal` the auth guard established (`anonymous` on public routes). */
export const Caller = createParamDecorator((_data: unknown, context: ExecutionContext): Principal => principalOf(context.switchToHttp().getRequest<object>()) ?? ANONYMOUS);

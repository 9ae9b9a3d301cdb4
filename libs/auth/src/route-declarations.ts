import { RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { MetadataScanner, type ModulesContainer } from '@nestjs/core';
import { AUTH_POLICY, effectivePolicy, type AuthPolicy } from './auth-policy';

/** One route of the app as its controller declares it, with its access policy. */
export interface RouteDeclaration {
  /** `GET`, `POST`, … */
  method: string;
  /** Nest's pattern, e.g. `/v1/incidents/:id`. */
  path: string;
  /** `IncidentsHttpController.get`. */
  handler: string;
  /** The declared policy (`@RequireScopes` / `@Public` / `@MetricsAccess`) or the `/status` read rule. */
  policy: AuthPolicy | undefined;
}

const joinPath = (...parts: string[]) => `/${parts.map((part) => part.replace(/^\/+|\/+$/g, '')).filter((part) => part !== '').join('/')}`;
const asList = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value ?? '')]);

/**
 * Every route of every controller in the app (from the controllers' metadata, so also in
 * `NestFactory.create(…, { preview: true })`, without databases), with its effective policy. A route
 * whose `policy` is undefined is refused at runtime to everyone; `npm test` fails on it
 * (`apps/platform/src/route-declarations.spec.ts`).
 */
export function routeDeclarations(modules: ModulesContainer): RouteDeclaration[] {
  const scanner = new MetadataScanner();
  const routes: RouteDeclaration[] = [];
  const seen = new Set<Type>();
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller || seen.has(controller)) continue;
      seen.add(controller);
      const prefixes = asList(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod] ?? 'GET';
        const declared = Reflect.getMetadata(AUTH_POLICY, handler) as AuthPolicy | undefined;
        for (const prefix of prefixes) {
          for (const path of asList(Reflect.getMetadata(PATH_METADATA, handler))) {
            const full = joinPath(prefix, path);
            routes.push({ method, path: full, handler: `${controller.name}.${name}`, policy: effectivePolicy(declared, method, full) });
          }
        }
      }
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

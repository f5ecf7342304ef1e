import Fastify, { type FastifyInstance } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import secureJsonParse from 'secure-json-parse';
import { DomainError, nulRefusal } from '@quorum/core';
import type { AppContext } from './context';
import { authorize, requirePrincipal, type Access } from './http/auth';
import { handleError } from './http/errors';
import { registerRoutes } from './routes/index';
import { registerWebApp } from './http/web';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The body a route sees when the request has none (Scale's clients omit `{}` and `[]`). */
    emptyBody?: unknown;
    /** Who may call the route (default: operators — API keys, owners and admins). */
    access?: Access;
    /** Routes that need no authentication (signing in). */
    public?: boolean;
    /** Routes a worker who must choose a new password may still call. */
    beforePasswordChange?: boolean;
  }
}

/**
 * How request input is read before validation. Scale's Python client sends `Content-Type:
 * application/json` with no body for empty objects and lists: such a request gets the route's
 * empty body instead of a parse error. Everything else goes through a secure JSON parse,
 * prototype-poisoning checks included. A NUL character in the body, a path parameter or the query
 * is refused, naming where it is (`nulRefusal`).
 */
function readInput(app: FastifyInstance) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, undefined);
    try {
      const parsed: unknown = secureJsonParse(text, {
        protoAction: 'error',
        constructorAction: 'error',
      });
      // JSON can carry a NUL only escaped; PostgreSQL stores no NUL in text or jsonb.
      const refused = text.includes('\\u0000') ? nulRefusal(parsed) : undefined;
      if (refused) return done(refused, undefined);
      done(null, parsed);
    } catch (error) {
      const message = (error as Error).message;
      const reason = /prototype/i.test(message)
        ? 'contains a forbidden "__proto__" or "constructor.prototype" key'
        : `malformed JSON (${message})`;
      done(new DomainError('invalid', `body: ${reason}`, 'body'), undefined);
    }
  });
  app.addHook('preValidation', async (request) => {
    for (const [name, value] of [
      ...Object.entries((request.params ?? {}) as Record<string, unknown>),
      ...Object.entries((request.query ?? {}) as Record<string, unknown>),
    ]) {
      const refused = nulRefusal(value, name);
      if (refused) throw refused;
    }
    if (request.body !== undefined || !request.routeOptions.schema?.body) return;
    const empty = request.routeOptions.config.emptyBody;
    request.body = empty === undefined ? {} : structuredClone(empty);
  });
}

/** Builds the HTTP application over an already-started context. */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log,
    bodyLimit: ctx.config.bodyLimit,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    ajv: { customOptions: { removeAdditional: false } },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      status_code: 404,
      error: `No such endpoint: ${request.method} ${request.url.split('?')[0]}`,
      code: 'not_found',
    }),
  );
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });
  readInput(app);

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Quorum API',
        version: '1',
        description:
          'Scale-compatible v1 API under /v1 and the native API under /api/v1. Authenticate with ' +
          'an API key as the HTTP Basic user name (empty password) or as a Bearer token.',
      },
      components: {
        securitySchemes: {
          basic: { type: 'http', scheme: 'basic' },
          bearer: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ basic: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await registerWebApp(app, ctx.config.webDir);

  await app.register(async (api) => {
    api.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      if (config.public) return;
      const principal = await requirePrincipal(ctx.database.db, request, ctx.now());
      authorize(principal, config.access, config.beforePasswordChange);
    });
    await registerRoutes(api.withTypeProvider<ZodTypeProvider>(), ctx);
  });

  return app;
}
